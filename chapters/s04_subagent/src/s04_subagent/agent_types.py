"""Agent types: the kinds of subagent the `Task` tool can start.

Two are built in: `general-purpose` (every tool a subagent may have) and a read-only `Explore`.
More come from Markdown files in Claude Code's format, a YAML frontmatter and a body:

    ---
    name: reviewer
    description: Reviews a change for bugs and missing tests. Use it after editing code.
    tools: read_file, grep, bash          # or a YAML list; absent: every tool a subagent may have
    model: inherit                        # or a model id (sonnet, opus, haiku also mean inherit here)
    isolation: worktree                   # optional: each run in a git worktree of its own (s18)
    ---
    You review changes... (the body: the subagent's instructions)

Files are read from `~/.claude/agents/*.md` (user), then `<workdir>/.claude/agents/*.md` (project):
a later one replaces an earlier type of the same name, so project beats user beats built-in.
A file with a problem is skipped with a message that names it; the other files still load.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from s02_tool_use.frontmatter import FrontmatterError, read_frontmatter
from s02_tool_use.tools import describe_validation_error

INHERIT = {"inherit", "sonnet", "opus", "haiku"}
"""subtle: Claude Code maps these aliases to model ids; any Messages API server may be behind
ANTHROPIC_BASE_URL here, so we cannot know its ids and use the parent's model instead."""
CLAUDE_CODE_TOOLS = {"Read": "read_file", "Write": "write_file", "Edit": "edit_file",
                     "Glob": "glob", "Grep": "grep", "Bash": "bash"}
"""Claude Code's names for our tools, so an agent file written for Claude Code works unchanged."""


class AgentFileError(ValueError):
    """An agent file that cannot be used; the message starts with the file's path."""


class AgentType(BaseModel):
    model_config = ConfigDict(extra="ignore")  # Claude Code files may carry `color:` and more

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    """What the parent passes as `subagent_type`."""
    description: str = Field(min_length=1)
    """When to use it: the parent model reads this in the Task tool's description."""
    tools: list[str] | None = None
    """The tools it may use; None means every tool a subagent may have (never `Task`)."""
    model: str | None = None
    """A model id, or None to use the parent's model."""
    prompt: str = ""
    """Its instructions (the file's body), added to the child's system prompt."""
    isolation: Literal["worktree"] | None = None
    """Claude Code's `isolation: worktree`: each run works in a git worktree of its own. s04 reads
    it; a later chapter offers it (`Isolation`, in `Subagents.isolations`); until then such a Task is
    refused with a message."""
    source: str = "built-in"
    """`built-in`, `user` or `project`."""
    path: Path | None = None
    """The file it was read from."""

    @field_validator("tools", mode="before")
    @classmethod
    def _split(cls, value):
        """`tools: read_file, grep` is the same as `tools: [read_file, grep]`."""
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @field_validator("model", mode="before")
    @classmethod
    def _inherit(cls, value):
        return None if isinstance(value, str) and value.strip().lower() in INHERIT else value


GENERAL_PURPOSE = AgentType(
    name="general-purpose",
    description="General-purpose agent for researching questions, searching code and doing multi-step "
    "tasks. Use it when a job would fill your context with output you do not need afterwards.",
)
EXPLORE = AgentType(
    name="Explore",
    description="Fast read-only agent for exploring code: finding files by pattern, searching for "
    "keywords, answering questions about how the code works. It cannot change files.",
    tools=["read_file", "glob", "grep"],
    prompt="You are a read-only search specialist. Find what you are asked for with glob, grep and "
    "read_file, then report it: file paths with line numbers, and the few lines that matter. You never "
    "create, change or delete files; if the task asks for a change, report what should change and where.",
)
BUILT_IN_TYPES = (GENERAL_PURPOSE, EXPLORE)


class Isolation(Protocol):
    """A work dir of its own for each run of an agent type with an `isolation` (s18's worktrees)."""

    def enter(self, parent, agent_type: AgentType, description: str) -> tuple[Path, str]:
        """Make the child's work dir; return it, and a line for the child's instructions."""

    def leave(self, parent, workdir: Path) -> str:
        """The child has ended (or failed): keep or clean up its work dir; return a note for the
        parent, added to the Task result ("" for none)."""


@dataclass
class AgentCatalog:
    types: dict[str, AgentType] = field(default_factory=dict)  # name -> type, built-ins first
    warnings: list[str] = field(default_factory=list)  # one per skipped file, naming it


# ---------------------------------------------------------------------------------------------


def load_agent_types(workdir: Path, known_tools: Collection[str], home: Path | None = None) -> AgentCatalog:
    """The built-in types, then the user's files, then the project's. `known_tools` are the names a
    subagent may be given; a file naming any other tool is skipped."""
    catalog = AgentCatalog({agent_type.name: agent_type for agent_type in BUILT_IN_TYPES})
    folders = {"user": (home or Path.home()) / ".claude" / "agents", "project": Path(workdir) / ".claude" / "agents"}
    seen = set()
    for source, folder in folders.items():
        if not folder.is_dir() or folder.resolve() in seen:  # subtle: the work dir may be the home dir
            continue
        seen.add(folder.resolve())
        for path in sorted(folder.glob("*.md")):
            try:
                agent_type = parse_agent_file(path, known_tools, source)
            except AgentFileError as error:
                catalog.warnings.append(str(error))
                continue
            catalog.types[agent_type.name] = agent_type
    return catalog


def parse_agent_file(path: Path, known_tools: Collection[str], source: str = "project") -> AgentType:
    """One agent file, checked; any problem raises AgentFileError naming the file."""
    try:
        fields, body = read_frontmatter(path)
        agent_type = AgentType.model_validate(fields | {"prompt": body.strip(), "source": source, "path": path})
    except FrontmatterError as error:
        raise AgentFileError(f"{path}: {error}") from None
    except ValidationError as error:
        raise AgentFileError(f"{path}: {describe_validation_error(error)}") from None
    if agent_type.tools is None:
        return agent_type
    tools = list(dict.fromkeys(CLAUDE_CODE_TOOLS.get(name, name) for name in agent_type.tools))
    unknown = [name for name in tools if name not in known_tools]
    if unknown:
        why = " (a subagent cannot start subagents)" if "Task" in unknown else ""
        raise AgentFileError(f"{path}: unknown tool{'s' * (len(unknown) > 1)} {', '.join(unknown)}{why}; "
                             f"a subagent may use: {', '.join(known_tools)}")
    return agent_type.model_copy(update={"tools": tools})
