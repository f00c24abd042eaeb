"""Chapter 9: memory that outlives the conversation, as one `Extension`.

Until now every session started from nothing: the user's "always run the tests with -v" was gone
at exit. A memory is a short Markdown note the model writes with the `memory` tool (`store.py`);
an index of them, one line each, is in the system prompt of every later session (`index.py`).

1. save: the `memory` tool writes `.harness/memory/<name>.md` atomically and rebuilds MEMORY.md;
2. load: at SessionStart the files are scanned and the index is frozen into a snapshot;
3. use: every request of the session carries that same snapshot, so the prompt cache holds;
4. a new session (the next run, or `/clear`) takes a new snapshot, with what was saved meanwhile;
   a resumed one (full's `--continue`) gets its own snapshot back (`session_state`).
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension, Section
from s02_tool_use.paths import display_path
from s02_tool_use.tools import Tool, ToolContext, ToolError
from s05_skill_loading.skill import NAME

from .index import MAX_CHARS, MAX_DESCRIPTION_CHARS, MAX_LINES, Snapshot, snapshot, write_index
from .store import (
    INDEX_FILE,
    MemoryMeta,
    MemoryType,
    file_for,
    forget,
    memory_dir,
    must_be_text,
    save,
    scan,
    unusable,
)

TOOL = "memory"

DESCRIPTION = f"""Save or forget a memory: a note kept across sessions in .harness/memory/ (one
Markdown file each), listed in the Memory section of the system prompt from the next session on.
action=save creates the memory `name`, or replaces it (description, type and content are all
required); action=forget deletes it. Choose the type:
- user: who the user is (role, experience, preferences), so you can work the way they like;
- feedback: how the user wants you to work, corrections and confirmations ("don't mock the
  database", "always run the tests with -v"); say why, and when it applies;
- project: facts about the work that the code and git history do not show (decisions, deadlines,
  who owns what, issue numbers); write dates as absolute dates;
- reference: where to find things outside the code (URLs, dashboards, issue trackers).
Save when the user asks you to remember something, or corrects you in a way that should last. Do
not save what the code, git history or CLAUDE.md already say, details of the current task only, or
secrets (passwords, keys, tokens). Update an existing memory rather than adding a near-duplicate,
and forget one that turned out to be wrong. Descriptions are one line of at most
{MAX_DESCRIPTION_CHARS} characters: they are all a future session sees until it reads the file."""


class MemoryInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["save", "forget"] = Field(description="save: create or replace the memory; forget: delete it.")
    name: str = Field(description="Lowercase letters, digits and hyphens, e.g. `test-command`; also its file name.")
    description: str | None = Field(None, description="save: one line saying what the memory holds (the index shows it).")
    type: MemoryType | None = Field(None, description="save: user, feedback, project or reference.")
    content: str | None = Field(None, description="save: the memory itself, in Markdown.")

    @field_validator("name")
    @classmethod
    def _slug(cls, name: str) -> str:
        if len(name) > 64 or not NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a valid memory name: use lowercase letters, digits and single "
                             "hyphens, at most 64 characters (it becomes the file name)")
        if name == INDEX_FILE.removesuffix(".md").lower():
            # subtle: on macOS and Windows, memory.md and MEMORY.md are the same file
            raise ValueError(f"{name!r} is reserved for the index; choose another name")
        return name

    @field_validator("description", "content")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return value if value is None else must_be_text(value)  # else the file could never be read back

    @model_validator(mode="after")
    def _complete(self):
        if self.action == "save":
            missing = [key for key in ("description", "type", "content") if not (getattr(self, key) or "").strip()]
            if missing:
                raise ValueError(f"action save needs {', '.join(missing)}")
            if "\n" in self.description.strip() or len(self.description.strip()) > MAX_DESCRIPTION_CHARS:
                raise ValueError(f"description must be one line of at most {MAX_DESCRIPTION_CHARS} characters")
        return self


class Memory(Extension):
    """The `memory` tool, and the memory section of the system prompt: a snapshot per session."""

    def __init__(self, max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS):
        self.max_lines = max_lines
        """The most index lines in the system prompt; 0 means no limit."""
        self.max_chars = max_chars
        """The most characters of index lines in the system prompt; 0 means no limit."""
        self.snapshot: Snapshot | None = None  # the prompt section, frozen at SessionStart
        self.problems: dict[str, str] = {}  # file name -> why it is skipped, as of the last scan
        self.unusable: str | None = None  # why the folder cannot be used, as of the last scan
        self.read_only = False  # a subagent's copy: the parent's snapshot and no tool

    def tools(self) -> list[Tool]:
        # kind "internal": it writes only the harness's own state, so the permission gate lets it through
        return [] if self.read_only else [Tool(TOOL, DESCRIPTION, MemoryInput, self.memory, kind="internal")]

    def commands(self) -> dict[str, SlashCommand]:
        from .commands import show_memory

        return {"memory": SlashCommand("list the memories, and which ones this session's prompt holds",
                                       partial(show_memory, self))}

    def for_subagent(self) -> Memory:
        """A subagent sees the parent's index (the user's standing instructions hold for it too) but
        gets no `memory` tool: what is worth remembering, the parent decides from its report."""
        child = Memory(self.max_lines, self.max_chars)
        child.snapshot, child.read_only = self.snapshot, True
        return child

    # 1. save: the tool ----------------------------------------------------------------------

    def memory(self, args: MemoryInput, ctx: ToolContext) -> str:
        """The `memory` tool: save or forget one memory, then rebuild the index."""
        workdir = Path(ctx.workdir)
        shown = display_path(workdir, file_for(workdir, args.name))
        if problem := unusable(workdir):
            folder = display_path(workdir, memory_dir(workdir))
            raise ToolError(f"Could not {args.action} memory {args.name!r}: {folder} {problem}. Tell the user.")
        try:
            if args.action == "save":
                meta = MemoryMeta(name=args.name, description=args.description, type=args.type)
                existed, moved = save(workdir, meta, args.content)
                done = (f"{'Updated' if existed else 'Saved new'} memory {args.name!r} ({args.type}) in {shown}. "
                        "It is in the index now, and in the system prompt from the next session on.")
            elif not file_for(workdir, args.name).exists():
                known = ", ".join(scan(workdir).memories) or "(none)"
                raise ToolError(f"No memory named {args.name!r}. Memories: {known}.")
            else:
                moved = forget(workdir, args.name)
                done = f"Forgot memory {args.name!r}." + ("" if moved else f" Deleted {shown}.")
            write_index(workdir, scan(workdir))
        except (OSError, UnicodeError) as error:
            raise ToolError(f"Could not {args.action} memory {args.name!r}: {error}") from None
        if moved:
            done += (f" The old {shown} could not be read as a memory, so it was kept: moved to "
                     f"{display_path(workdir, moved)}.")
            if ctx.agent is not None:
                ctx.agent.view.notice(Text(f"memory: {done}", style="yellow"))
        return done

    # 2. load: a snapshot at SessionStart ----------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> None:
        if event != "SessionStart":
            return
        if self.read_only:
            # subtle: s04 hands a child every tool of an extension that comes along; this is the
            # first point where the child itself is known, so the tool is dropped here
            agent.tools.remove(TOOL)
            return
        self.load(agent.workdir)
        if data.get("source") != "resume":  # a resumed session's own snapshot comes back next: told then
            self.announce(agent)

    def announce(self, agent) -> None:
        """Tell the user what the section holds, and what could not be read."""
        shown, left_out = self.snapshot.shown, self.snapshot.left_out
        if shown:
            index = display_path(agent.workdir, memory_dir(agent.workdir) / INDEX_FILE)
            cut = f"; {len(left_out)} left out by the index's size cap" if left_out else ""
            agent.view.notice(Text(f"memory: {count(len(shown))} in the system prompt ({index}){cut}", style="dim"))
        for line in self.warnings(agent.workdir):
            agent.view.notice(Text(line, style="yellow"))

    def load(self, workdir: Path) -> Snapshot:
        """Scan the files, bring MEMORY.md up to date, and freeze the prompt section."""
        found = scan(workdir)
        if not self.read_only:
            try:
                write_index(workdir, found)
            except OSError as error:  # a read-only disk must not stop the session
                found.problems[INDEX_FILE] = f"could not be rewritten ({error})"
        self.problems, self.unusable = found.problems, found.unusable
        self.snapshot = snapshot(found, self.max_lines, self.max_chars)
        return self.snapshot

    def warnings(self, workdir: Path) -> list[str]:
        folder = display_path(workdir, memory_dir(workdir))
        lines = [f"memory: {folder} {self.unusable}"] if self.unusable else []
        return lines + [f"memory: skipped {folder}/{name}: {reason} (the file is left as it is)"
                        for name, reason in self.problems.items()]

    def session_state(self, agent) -> dict | None:
        """The snapshot (s02's `Extension.session_state`): a resumed session sends the same section,
        though memories were saved since."""
        return asdict(self.snapshot) if self.snapshot is not None and not self.read_only else None

    def restore_session(self, agent, state: dict) -> None:
        self.snapshot = Snapshot(**state)
        self.announce(agent)

    # 3. use: the same section in every request of the session -------------------------------

    def system_prompt(self, agent) -> Section:
        if self.snapshot is None:  # asked before the session started (e.g. `/context`)
            self.load(agent.workdir)
        return Section("memory", self.snapshot.text)


def count(n: int) -> str:
    return f"{n} memor{'y' if n == 1 else 'ies'}"
