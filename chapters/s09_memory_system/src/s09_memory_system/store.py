"""The memory on disk: one Markdown file per memory, in the state folder, and nothing else to trust.

    .harness/memory/
        run-tests-verbose.md      ---
                                  name: run-tests-verbose
                                  description: Run the tests verbosely, python -m unittest -v
                                  type: feedback            <- user | feedback | project | reference
                                  ---
                                  The body: the memory itself, as long as it needs to be.
        MEMORY.md                 the index, rebuilt from the files (index.py)
        corrupt/                  files that could not be read, moved here before a save replaced them

The files are the source of truth: a memory the user edited or deleted by hand is seen as it is
now. A file that cannot be read (not UTF-8, no frontmatter, a field that is no text) is reported and
skipped, and never overwritten or deleted unseen: before a save or forget touches it, it is moved
to `corrupt/` and the tool result names the place. `.harness/memory` that is a file, not a folder,
is reported the same way: no memory can be read or saved until it is moved.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from s02_tool_use.files import write_atomic
from s02_tool_use.frontmatter import FrontmatterError, read_frontmatter
from s02_tool_use.state import STATE_DIR, state_path
from s02_tool_use.tools import describe_validation_error

TYPES = ("user", "feedback", "project", "reference")
"""Claude Code's four kinds of memory; see the `memory` tool's description for what goes where."""
MemoryType = Literal["user", "feedback", "project", "reference"]
INDEX_FILE = "MEMORY.md"
CORRUPT_DIR = "corrupt"


class MemoryMeta(BaseModel):
    """A memory file's frontmatter."""

    model_config = ConfigDict(extra="ignore")

    name: str
    """The memory's name, which is also its file name: `run-tests-verbose` in `run-tests-verbose.md`."""
    description: str
    """One line: what the index (and so the system prompt) says about this memory."""
    type: MemoryType

    @field_validator("description")
    @classmethod
    def _one_line(cls, description: str) -> str:
        line = " ".join(description.split())  # subtle: a hand-edited file may fold it over lines
        if not line:
            raise ValueError("must not be empty")
        return must_be_text(line)


@dataclass(frozen=True)
class StoredMemory:
    """One memory as read from its file: the frontmatter, the body after it, and the file."""

    meta: MemoryMeta
    body: str
    file: Path


@dataclass
class Scan:
    """What the memory folder holds right now."""

    memories: dict[str, StoredMemory] = field(default_factory=dict)
    """name -> memory, sorted by name (a stable index is a cacheable prompt)."""
    problems: dict[str, str] = field(default_factory=dict)
    """file name -> why it was skipped, for every `*.md` that is not a valid memory."""
    unusable: str | None = None
    """Why the folder itself cannot be used (`.harness/memory` is a file), or None."""


def memory_dir(workdir: Path) -> Path:
    """`<workdir>/.harness/memory/`. Not created here: reading must not litter a project with folders."""
    return Path(workdir) / STATE_DIR / "memory"


def file_for(workdir: Path, name: str) -> Path:
    return memory_dir(workdir) / f"{name}.md"


def must_be_text(value: str) -> str:
    """`value`, if UTF-8 can encode it. subtle: YAML and JSON escapes can spell a lone surrogate
    (`"\\uD800"`), a `str` that no UTF-8 file, index or request can hold."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"holds {error.object[error.start]!a} at position {error.start}, a lone surrogate that is "
                         "no character and cannot be written as UTF-8 text") from None
    return value


def unusable(workdir: Path) -> str | None:
    """Why the memory folder cannot be used, or None: it is fine, or not there yet."""
    folder = memory_dir(workdir)
    if folder.exists() and not folder.is_dir():
        return "is a file, not a folder: no memory can be read or saved until it is moved away"
    return None


# ---------------------------------------------------------------------------------------------


def read_memory(file: Path) -> StoredMemory:
    """One memory file, checked; a `FrontmatterError` says what is wrong with it."""
    try:
        file.read_bytes().decode("utf-8")  # subtle: s04's reader would read bad bytes as U+FFFD, unseen
    except OSError as error:
        raise FrontmatterError(f"cannot read it: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        bad = f"byte {error.object[error.start]:#04x} at offset {error.start}"
        raise FrontmatterError(f"not UTF-8 text ({bad}); a memory file is UTF-8") from None
    fields, body = read_frontmatter(file)  # s04's reader: the `---` fences, then PyYAML
    try:
        meta = MemoryMeta.model_validate(fields)
    except ValidationError as e:
        raise FrontmatterError(describe_validation_error(e)) from None
    if meta.name != file.stem:
        raise FrontmatterError(f"name {meta.name!r} does not match the file name {file.name!r}")
    return StoredMemory(meta, body, file)


def scan(workdir: Path) -> Scan:
    """Every memory file in the folder; the ones that cannot be read go to `problems`, not away."""
    found = Scan(unusable=unusable(workdir))
    folder = memory_dir(workdir)
    for file in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        if file.name == INDEX_FILE:
            continue
        try:
            memory = read_memory(file)
        except FrontmatterError as e:
            # subtle: a file name that is not UTF-8 holds lone surrogates; shown, it must be text
            found.problems[os.fsencode(file.name).decode("utf-8", "replace")] = str(e)
            continue
        found.memories[memory.meta.name] = memory
    return found


def memory_text(meta: MemoryMeta, body: str) -> str:
    """A memory file's text. subtle: PyYAML writes the frontmatter, so a description with a colon
    or a quote is quoted as YAML needs, and `read_memory` gets back exactly what was saved."""
    import yaml  # subtle: here, on first use, not at start-up

    fields = yaml.safe_dump(meta.model_dump(), sort_keys=False, allow_unicode=True, width=10_000)
    return f"---\n{fields}---\n{body.strip()}\n"


def save(workdir: Path, meta: MemoryMeta, body: str) -> tuple[bool, Path | None]:
    """Create or replace the memory `meta.name`. Returns (whether it existed, where an unreadable
    file of that name was moved to, or None)."""
    target = state_path(workdir, "memory", f"{meta.name}.md")
    existed, moved = target.exists(), set_aside_if_unreadable(workdir, target)
    write_atomic(target, memory_text(meta, body))
    return existed and moved is None, moved


def forget(workdir: Path, name: str) -> Path | None:
    """Delete the memory `name` (it must exist); an unreadable one is moved aside instead, and the
    new place is returned."""
    target = file_for(workdir, name)
    moved = set_aside_if_unreadable(workdir, target)
    if moved is None:
        target.unlink()
    return moved


def set_aside_if_unreadable(workdir: Path, file: Path) -> Path | None:
    """If `file` exists but is not a valid memory, move it into `corrupt/` (the bytes unchanged,
    under a new name) and return where it went; otherwise None."""
    if not file.exists():
        return None
    try:
        read_memory(file)
        return None
    except FrontmatterError:
        pass
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = state_path(workdir, "memory", CORRUPT_DIR, f"{file.stem}-{stamp}.md")
    n = 1
    while aside.exists():  # two in one second: never replace an earlier one
        n += 1
        aside = aside.with_name(f"{file.stem}-{stamp}-{n}.md")
    os.replace(file, aside)
    return aside
