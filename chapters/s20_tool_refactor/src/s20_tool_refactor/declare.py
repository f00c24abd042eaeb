"""One declaration form for every tool: what s20 adds over s02's hand-built `Tool(...)` calls.

s02 declared a tool in three places: a pydantic input model, a function, and a `Tool(...)` line
tying them together with its facts. Here one decorator does it all from the function itself:

    @tool(kind="read", read_only=True, path_arg="path", timeout=30)
    def read_file(path: Annotated[str, Field(description="The file to read.")], ctx: ToolContext) -> str:
        '''Read a text file.'''                       # the description the model reads

- the parameters (minus `ctx`, the `ToolContext`) become the input model, built by pydantic's
  `create_model` from the type hints: `Annotated[..., Field(...)]` gives descriptions and limits;
- the docstring becomes the description, the function's name the tool's name;
- or the decorator goes over a pydantic model class whose `__call__(self, ctx)` runs it;
- `from_schema` lets a tool declared elsewhere (an MCP server's) in: its JSON schema goes as it is.
Each form gives a `DeclaredTool`, an s02 `Tool` with one more fact, its `timeout`: the registry,
the permission gate and every later chapter see a plain `Tool`.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from s01_agent_loop.shell import MAX_TIMEOUT
from s02_tool_use.files import description_of
from s02_tool_use.tools import AnyInput, Kind, Tool, ToolContext

DEFAULT_TIMEOUT = MAX_TIMEOUT + 60
"""Seconds the router waits for a tool that declares no timeout of its own: s01's longest bash
timeout and a minute more, so no earlier tool's own wait (s13's TaskOutput) is cut short."""


@dataclass(frozen=True)
class DeclaredTool(Tool):
    timeout: float | None = None
    """Seconds the router waits for a run before the model gets "timed out" (None: the default)."""

    def spec(self) -> dict:
        spec = super().spec()
        if self.input_schema is None:  # subtle: a model class's docstring is the tool's, not the input's
            spec["input_schema"].pop("description", None)
        return spec


def tool(target: Callable | type[BaseModel] | None = None, *, name: str | None = None, kind: Kind | None = None,
         read_only: bool = False, path_arg: str | None = None, tip: str | None = None,
         timeout: float | None = None):
    """Declare a tool: `@tool` or `@tool(kind="read", read_only=True, ...)` over a function or a
    pydantic model class. The facts are s02's (`Tool.kind`, `read_only`, `path_arg`, `tip`)."""
    facts = {"kind": kind, "read_only": read_only, "path_arg": path_arg, "tip": tip, "timeout": timeout}

    def declare(target):
        if isinstance(target, type) and issubclass(target, BaseModel):
            return from_model(target, name or snake_case(target.__name__), **facts)
        return from_function(target, name or target.__name__, **facts)

    return declare(target) if target is not None else declare


def from_function(fn: Callable, name: str, **facts) -> DeclaredTool:
    """A tool from a function: its parameters are the input, `ctx` (if any) the `ToolContext`."""
    # 1. the type hints, resolved (string annotations too) and with their Annotated metadata kept
    hints = typing.get_type_hints(fn, include_extras=True)
    # 2. one model field per parameter: (type, default), `...` for a required one; names the
    #    signature does not take are refused, unless it takes `**extra` (then they are ignored)
    wants_ctx, fields_, extra = False, {}, "forbid"
    for parameter in inspect.signature(fn).parameters.values():
        if parameter.name == "ctx" or hints.get(parameter.name) is ToolContext:
            wants_ctx = True
            continue
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            extra = "ignore"
            continue
        default = ... if parameter.default is inspect.Parameter.empty else parameter.default
        fields_[parameter.name] = (hints.get(parameter.name, Any), default)
    # 3. pydantic builds the model (schema and validation); the run calls the function with its fields
    model = create_model(f"{name}_input", __config__=ConfigDict(extra=extra), **fields_)

    def run(args: BaseModel, ctx: ToolContext):
        values = {key: getattr(args, key) for key in fields_}
        return fn(**values, ctx=ctx) if wants_ctx else fn(**values)

    return DeclaredTool(name, description_of(fn), model, run, **facts)


def from_model(cls: type[BaseModel], name: str, **facts) -> DeclaredTool:
    """A tool from a pydantic model class: its fields are the input, `__call__(self, ctx)` runs it."""
    if not any("__call__" in vars(klass) for klass in cls.__mro__):
        raise TypeError(f"{cls.__name__} needs a __call__(self, ctx) method to run the tool")
    return DeclaredTool(name, description_of(cls), cls, lambda args, ctx: args(ctx), **facts)


def from_schema(name: str, description: str, schema: dict, run: Callable[[dict, ToolContext], Any],
                **facts) -> DeclaredTool:
    """A tool declared elsewhere (an MCP server's): its JSON schema is sent as it is and whoever
    runs it checks the input (s02's `AnyInput` only checks it is an object)."""
    return DeclaredTool(name, description, AnyInput, lambda args, ctx: run(args.model_dump(), ctx),
                        input_schema=schema, **facts)


def adopt(existing: Tool, **facts) -> DeclaredTool:
    """A `Tool` built some other way (s19's `McpTool`), in this form: the same name, description,
    schema, run and facts, plus `facts` (a subclass's own fields, such as an McpTool's server, are
    what its chapter needed to build it, and stay behind)."""
    if isinstance(existing, DeclaredTool) and not facts:
        return existing
    kept = {f.name: getattr(existing, f.name) for f in fields(DeclaredTool) if hasattr(existing, f.name)}
    return DeclaredTool(**kept | facts)


def timeout_of(declared: Tool | None) -> float:
    return getattr(declared, "timeout", None) or DEFAULT_TIMEOUT


def snake_case(name: str) -> str:
    """`ReadFile` -> `read_file`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
