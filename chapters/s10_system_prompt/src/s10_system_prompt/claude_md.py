"""The `CLAUDE.md` chain: the project's own instructions, which s10 puts into the system prompt.

Claude Code reads instruction files from several places, least specific first, so that a later
file can refine an earlier one:

    ~/.claude/CLAUDE.md                      user     your instructions for every project
    <root>/CLAUDE.md, <root>/.claude/CLAUDE.md, then the same in each folder down to the work dir
                                             project  checked in, shared with the team
    CLAUDE.local.md (root, then work dir)    local    your private notes for this project

The project root is the nearest folder upwards from the work dir that has `.git`, else the work dir.
A file may pull in another with `@path` (`@./x.md`, `@docs/style.md`, `@~/notes.md`), resolved
relative to the importing file; imports nest at most `MAX_IMPORT_DEPTH` deep, a file is included
once however often it is imported (so a cycle ends), and a missing one is a warning.

Every request carries the chain, so what it may add is capped: `MAX_FILE_CHARS` of one file and
`MAX_CHAIN_CHARS` of all of them. A file past the cap is cut (a warning, and a note where it is
cut, so the model knows to read the rest); one with NUL bytes is not text and is skipped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from s02_tool_use.reading import BINARY_SNIFF_BYTES

MAX_IMPORT_DEPTH = 5  # Claude Code's limit on nested @imports
MAX_FILE_CHARS = 40_000
"""The most characters one file adds to the system prompt (past this Claude Code warns that a large
CLAUDE.md hurts performance); the rest is cut."""
MAX_CHAIN_CHARS = 40_000
"""The most characters all the files together add; a file past it is cut, the ones after it left out."""

KIND_LABELS = {
    "user": "user's private global instructions for all projects",
    "project": "project instructions, checked into the codebase",
    "local": "user's private project instructions, not checked in",
}

FENCE = re.compile(r"^ {0,3}(```|~~~).*?(^ {0,3}\1[^\n]*$|\Z)", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
IMPORT = re.compile(r"(?:^|(?<=\s))@((?:~/|\./|\.\./|/)?[\w.\-/~]+)")


@dataclass
class InstructionFile:
    path: Path
    kind: str
    """"user", "project" or "local" (an imported file keeps the kind of the file importing it)."""
    text: str
    imported_by: Path | None = None
    note: str = ""
    """Why `text` is not the whole file (it was cut), shown after it in the prompt."""


@dataclass
class ClaudeMd:
    """The chain as read at one moment: the files in prompt order, and what went wrong."""

    files: list[InstructionFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_chars(self) -> int:
        return sum(len(file.text) for file in self.files)


def project_root(workdir: Path) -> Path:
    """The nearest folder from `workdir` upwards that holds `.git` (a folder, or a file in a
    worktree); the work dir itself when there is none."""
    workdir = Path(workdir).resolve()
    return next((folder for folder in (workdir, *workdir.parents) if (folder / ".git").exists()), workdir)


def chain_paths(workdir: Path, home: Path) -> list[tuple[Path, str]]:
    """Where instruction files may be, in prompt order, each with its kind; missing ones included."""
    workdir, root = Path(workdir).resolve(), project_root(workdir)
    below = workdir.relative_to(root).parts  # the folders between the root and the work dir
    folders = [root, *(root.joinpath(*below[: i + 1]) for i in range(len(below)))]
    paths = [(Path(home) / ".claude" / "CLAUDE.md", "user")]
    for folder in folders:
        paths += [(folder / "CLAUDE.md", "project"), (folder / ".claude" / "CLAUDE.md", "project")]
    paths += [(folder / "CLAUDE.local.md", "local") for folder in dict.fromkeys([root, workdir])]
    return paths


def read_chain(workdir: Path, home: Path | None = None) -> ClaudeMd:
    """Read every file of the chain that exists, with its imports, each file once."""
    chain, seen = ClaudeMd(), set()
    for path, kind in chain_paths(workdir, home or Path.home()):
        if path.is_file():
            include(path, kind, chain, seen, home or Path.home(), depth=0)
    return chain


def include(path: Path, kind: str, chain: ClaudeMd, seen: set[Path], home: Path, depth: int,
            imported_by: Path | None = None) -> None:
    """Add `path`, then (depth first) the files it imports."""
    # 1. each file once: a second import, or an import that closes a cycle, adds nothing
    resolved = path.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    try:
        with open(path, "rb") as f:  # subtle: never more than the cap could use, however big the file
            data, size = f.read(4 * MAX_FILE_CHARS + 4), os.fstat(f.fileno()).st_size
    except OSError as error:
        chain.warnings.append(f"cannot read {path}: {error.strerror or error}")
        return
    # 2. not text (an image, UTF-16 from an editor): not instructions at all
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        chain.warnings.append(f"{path} is not text (it holds NUL bytes: binary, or UTF-16?); skipped")
        return
    # 3. the cap: a long file is cut, with a note where; the ones after a full chain are left out
    text, note = fit(path, data.decode("utf-8", errors="replace"), size, whole=size <= len(data), chain=chain)
    chain.files.append(InstructionFile(path, kind, text, imported_by, note))
    # 4. its imports (in the part kept), resolved against the importing file's folder, not the work dir
    for target in imports(text):
        imported = resolve_import(target, path.parent, home)
        if depth + 1 > MAX_IMPORT_DEPTH:
            chain.warnings.append(f"{path} imports @{target} deeper than {MAX_IMPORT_DEPTH} levels; not included")
        elif not imported.is_file():
            chain.warnings.append(f"{path} imports @{target}, which does not exist")
        else:
            include(imported, kind, chain, seen, home, depth + 1, imported_by=path)


def fit(path: Path, text: str, size: int, whole: bool, chain: ClaudeMd) -> tuple[str, str]:
    """What of `text` (`size` bytes on disk; `whole`: all of them were read) fits under both caps,
    and the note that says it was cut; a cut is also a warning for the user."""
    room = max(0, min(MAX_FILE_CHARS, MAX_CHAIN_CHARS - chain.n_chars))
    if whole and len(text) <= room:
        return text, ""
    caps = f"at most {MAX_FILE_CHARS:,} characters of one instruction file, {MAX_CHAIN_CHARS:,} of all of them"
    if room == 0:
        chain.warnings.append(f"{path} is left out of the system prompt: the files before it fill it ({caps})")
        return "", f"[Left out: the instruction files before it fill the system prompt ({caps}). Read it if it matters.]"
    chain.warnings.append(f"{path} is {size:,} bytes: only its first {room:,} characters are in the system prompt "
                          f"({caps})")
    note = f"[Cut here: the file is {size:,} bytes, more than the system prompt holds ({caps}). Read it for the rest.]"
    return text[:room], note


def imports(text: str) -> list[str]:
    """The `@path` imports of a Markdown text, in order. subtle: not inside fenced code blocks or
    code spans, where `@decorator` or `npm i @scope/pkg` are code, not imports.

    >>> imports("See @docs/style.md and `@not/this`.\\n```\\n@nor_this\\n```\\nmail a@b.c")
    ['docs/style.md']
    """
    prose = CODE_SPAN.sub(" ", FENCE.sub(" ", text))
    return [match.rstrip(".") for match in IMPORT.findall(prose) if match.rstrip(".")]


def resolve_import(target: str, folder: Path, home: Path) -> Path:
    if target.startswith("~/"):
        return Path(home) / target[2:]
    return folder / target  # an absolute target replaces `folder`


def render(chain: ClaudeMd, workdir: Path) -> str | None:
    """The section's text, each file under a header naming it (Claude Code's wording), or None."""
    if not chain.files:
        return None
    parts = ["Codebase and user instructions are shown below. Be sure to adhere to these instructions. "
             "IMPORTANT: These instructions OVERRIDE any default behavior and you MUST follow them exactly "
             "as written."]
    for file in chain.files:
        label = KIND_LABELS[file.kind]
        if file.imported_by is not None:
            label += f"; imported by {shown_path(file.imported_by, workdir)}"
        body = "\n\n".join(filter(None, [file.text.strip(), file.note]))
        parts.append(f"Contents of {shown_path(file.path, workdir)} ({label}):\n\n{body}")
    return "\n\n".join(parts)


def shown_path(path: Path, workdir: Path) -> str:
    """Relative to the work dir when inside it, else absolute (`~/.claude/CLAUDE.md` stays absolute)."""
    path, workdir = Path(path).resolve(), Path(workdir).resolve()
    return path.relative_to(workdir).as_posix() if path.is_relative_to(workdir) else str(path)

