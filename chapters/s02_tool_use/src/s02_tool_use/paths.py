"""Keeping the file tools inside the work dir.

s01's `bash` could touch anything; the file tools of s02 take a path from the model, so every path
goes through `resolve_in_workdir` first. The rule is simple and checked on the *final* answer:
resolve the candidate completely (every `..` and every symlink, even a dangling one), then ask
whether it is still under the resolved work dir. Checking the text of the path (say, looking for
`..`) is not enough: `link/secret` has no `..` in it, but `link` may point at `/etc`.

    resolve_in_workdir(Path("/w"), "src/a.py")   -> Path("/w/src/a.py")
    resolve_in_workdir(Path("/w"), "../etc")     -> ToolError("Path '../etc' is outside the work dir /w; ...")

The search tools also need to walk the work dir (`walk_files`: no symlinks, no `IGNORED_DIRS`) and
to match paths against globs (`glob_to_regex`); both live here too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from s02_tool_use.tools import ToolError

IGNORED_DIRS = frozenset({".git", ".venv", "node_modules", "__pycache__", ".harness"})
"""Folders that the search tools never enter: version control, environments, caches, our state."""


def resolve_in_workdir(workdir: Path, path: str) -> Path:
    """The absolute, fully resolved form of `path`; a `ToolError` if it leaves `workdir`."""
    root = workdir.resolve()
    # 1. `~` would mean a home folder to a shell; we never expand it, and say so
    if path.startswith("~"):
        raise ToolError(
            f"Path {path!r} starts with '~': home folders are not expanded. Paths are relative to "
            f"the work dir {root} (for a file whose name starts with '~', write './{path}')."
        )
    # 2. relative paths are relative to the work dir, not to this process's cwd
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = root / candidate
    # 3. resolve everything: `..`, and symlinks at any component, including the last one
    #    subtle: strict=False still follows a dangling symlink to where it *would* point
    try:
        resolved = candidate.resolve(strict=False)
    except (OSError, RuntimeError) as e:  # RuntimeError: a symlink loop (Python < 3.13)
        raise ToolError(f"Cannot resolve path {path!r}: {e}") from None
    except ValueError as e:  # an embedded NUL byte
        raise ToolError(f"Invalid path {path!r}: {e}") from None
    # 4. the one check that matters
    if not resolved.is_relative_to(root):
        raise ToolError(outside_message(root, path, candidate, resolved))
    return resolved


def outside_message(root: Path, path: str, candidate: Path, resolved: Path) -> str:
    """Say whether the path itself leaves the work dir or a symlink on the way does."""
    lexical = Path(os.path.normpath(candidate))
    if lexical.is_relative_to(root):
        return (
            f"Path {path!r} goes through a symlink to {resolved}, which is outside the work dir "
            f"{root}; use a path inside it."
        )
    return f"Path {path!r} is outside the work dir {root}; use a path inside it."


def display_path(workdir: Path, path: Path) -> str:
    """`path` as the model should see it: relative to the work dir (`.` for the dir itself)."""
    root = workdir.resolve()
    if path.is_absolute() and path.is_relative_to(root):
        return path.relative_to(root).as_posix() or "."
    return str(path)


# ---------------------------------------------------------------------------------------------


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob: `**/` any folders or none, `*` and `?` within one name, `[a-z]`, `{a,b}`.

    glob_to_regex("src/**/*.py") matches "src/a.py" and "src/x/y/a.py", not "src/a.txt".
    """
    out, i, depth = [], 0, 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        end = pattern.find("]", i + 2) if c == "[" else -1  # a `]` right after `[` is literal
        if end != -1:
            body = pattern[i + 1 : end]
            negate = body[:1] in ("!", "^")
            chars = "".join(ch if ch == "-" else re.escape(ch) for ch in body[negate:])
            out.append(f"[{'^' if negate else ''}{chars}]")
            i = end + 1
            continue
        if c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append({"*": "[^/]*", "?": "[^/]"}.get(c, re.escape(c)))
        i += 1
    if depth:
        raise ToolError(f"Unbalanced braces in glob {pattern!r}.")
    return re.compile("".join(out), re.DOTALL)


def walk_files(base: Path) -> Iterator[Path]:
    """Regular files under `base` (or `base` itself), skipping `IGNORED_DIRS` and all symlinks."""
    if base.is_file():
        yield base
        return
    for folder, dirnames, filenames in os.walk(base):  # os.walk does not follow folder symlinks
        dirnames[:] = [d for d in dirnames if d not in IGNORED_DIRS]
        for name in filenames:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path
