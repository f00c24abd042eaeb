"""The tool registry: what s02 adds over s01's single hard-wired `bash` tool.

A tool is declared once, as a `Tool`: its name (what the model calls), a description, a pydantic
input model (which gives both the JSON schema sent to the model and the validation of what comes
back), a plain function, and the facts later chapters need about it, declared where the tool is:
what access it needs (`kind`), whether it only reads (`read_only`), which input names the path a
permission rule matches (`path_arg`) and a one-line `tip` for the system prompt. `ToolRegistry.call` turns every way a call can go wrong (unknown name,
invalid input, the function raising) into an error string for an `is_error` tool_result, so the
loop never stops because the model made a mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError


class ToolError(Exception):
    """Raise inside a tool to send the model an `is_error` result with this message."""


@dataclass
class ToolContext:
    """What a tool may know about the agent that runs it."""

    workdir: Path
    """The folder the agent works in; file tools are confined to it."""
    agent: Any = None
    """The running agent, for tools that need more (a subagent's parent, the task board...)."""


Kind = Literal["read", "edit", "shell", "internal"]
"""What a tool touches: files it reads, files it changes, the shell, or only the harness's own state."""


@dataclass(frozen=True)
class Tool:
    name: str
    """The name the model calls, `^[a-zA-Z0-9_-]{1,64}$`."""
    description: str
    input_model: type[BaseModel]
    run: Callable[[Any, ToolContext], str | ToolResult]
    """Called with a validated instance of `input_model`; returns the text of the result (or a
    whole `ToolResult`, e.g. one that lists the file each line came from)."""
    kind: Kind | None = None
    """The access it needs (s07 decides by it); None: undeclared, so a permission gate asks."""
    read_only: bool = False
    """It changes nothing anywhere: safe to run beside other read-only calls (s20)."""
    path_arg: str | None = None
    """The input field naming the file or folder it works on, which `Read(...)`/`Edit(...)` rules
    match; when the field is left out, the work dir."""
    tip: str | None = None
    """One line on when and how to use it, for the system prompt's tool guidance (s10)."""
    input_schema: dict | None = None
    """A JSON schema sent as it is, instead of the one `input_model` gives: a tool declared
    elsewhere (an MCP server's, s19), whose `input_model` then only checks that the input is an
    object (`AnyInput`) and leaves the rest to whoever runs it."""

    def spec(self) -> dict:
        """The tool definition sent in the request's `tools` list."""
        if self.input_schema is not None:
            return {"name": self.name, "description": self.description, "input_schema": self.input_schema}
        schema = self.input_model.model_json_schema()
        schema.pop("title", None)
        return {"name": self.name, "description": self.description, "input_schema": schema}


class AnyInput(BaseModel):
    """The input model of a tool with its own `input_schema`: any JSON object, every field kept."""

    model_config = ConfigDict(extra="allow")


@dataclass
class ToolCall:
    """One `tool_use` on its way to a tool; `pre_tool_use` extensions may rewrite `input`."""

    id: str
    name: str
    input: Any


@dataclass
class ToolResult:
    content: str
    is_error: bool = False
    files: list[str | None] | None = field(default=None, compare=False)
    """For a tool that lists or searches files: the file (relative to the work dir) each line of
    `content` came from, None for a line of its own (a note). Lets a later step drop the lines of
    a file without parsing the text again (s07 hides files that deny rules protect)."""

    output_file: Path | None = field(default=None, compare=False)
    """A file holding the whole output when `content` holds only its head and tail (bash). s06
    keeps it for the model to read; if nobody does, the harness deletes it after the call."""

    blocks: list[dict] | None = field(default=None, compare=False)
    """Content blocks sent after the text, e.g. `{"type": "image", "source": {...}}` (an MCP tool's
    image, s19). Whoever rewrites `content` (a spill, a hook's note) keeps them."""

    def with_note(self, note: str) -> ToolResult:
        """This result with `note` appended as lines of its own (so `files` stays in step)."""
        content = f"{self.content}\n\n{note}"
        files = None if self.files is None else [*self.files, *[None] * (content.count("\n") - self.content.count("\n"))]
        return replace(self, content=content, files=files)

    def sent(self) -> str | list[dict]:
        """The tool_result's `content`: the text alone, or a text block followed by `blocks`."""
        if not self.blocks:
            return self.content
        return [*([{"type": "text", "text": self.content}] if self.content.strip() else []), *self.blocks]


@dataclass
class ToolRegistry:
    tools: dict[str, Tool] = field(default_factory=dict)
    cached_specs: list[dict] | None = None
    """subtle: building JSON schemas is the costliest part of a turn, so they are built once."""

    def add(self, *tools: Tool) -> ToolRegistry:
        for tool in tools:
            self.tools[tool.name] = tool
        self.cached_specs = None
        return self

    def remove(self, *names: str) -> None:
        for name in names:
            self.tools.pop(name, None)
        self.cached_specs = None

    def specs(self) -> list[dict]:
        """The request's `tools` list, in the order the tools were added (stable for the prompt cache)."""
        if self.cached_specs is None:
            self.cached_specs = [tool.spec() for tool in self.tools.values()]
        return list(self.cached_specs)

    def call(self, name: str, raw_input: Any, ctx: ToolContext) -> ToolResult:
        # 1. an unknown name: tell the model what exists
        tool = self.tools.get(name)
        if tool is None:
            known = ", ".join(self.tools) or "(none)"
            return ToolResult(f"Unknown tool {name!r}. Available tools: {known}.", is_error=True)
        # 2. validate the input against the tool's pydantic model
        try:
            args = tool.input_model.model_validate(raw_input)
        except ValidationError as e:
            return ToolResult(f"Invalid input for {name}: {describe_validation_error(e)}", is_error=True)
        # 3. run it; a ToolError is the tool's own message, anything else is a crash we report
        try:
            output = tool.run(args, ctx)
            return output if isinstance(output, ToolResult) else ToolResult(output)
        except ToolError as e:
            return ToolResult(str(e), is_error=True)
        except Exception as e:  # noqa: BLE001 - a tool bug must not kill the loop
            return ToolResult(f"{name} failed: {type(e).__name__}: {e}", is_error=True)


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, naming the field: `path: Field required`."""
    parts = []
    for problem in error.errors():
        where = ".".join(str(p) for p in problem["loc"]) or "input"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)
