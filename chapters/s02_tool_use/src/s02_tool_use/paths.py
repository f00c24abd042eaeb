"""Keeping the file tools inside the work dir.

s01's `bash` could touch anything; the file tools of s02 take a path from the model, so every path
goes through `resolve_in_workdir` first. The rule is simple and checked on the *final* answer:
resolve the candidate completely (every `..` and every symlink, even a dangling one), then ask
whether it is still under the resolved work dir. Checking the text of the path (say, looking for
`..`) is not enough: `link/secret` has no `..` in it, but `link` may point at `/etc`.

    resolve_in_workdir(Path("/w"), "src/a.py")   -> Path("/w/src/a.py")
    resolve_in_workdir(Path("/w"), "../etc")     -> ToolError("Path '../etc' is outside the work dir /w; ...")

The search tools also need to walk the work dir (`walk_files`: regular files only, no symlinks, no
`IGNORED_DIRS`) and to match paths against globs (`glob_to_regex`, in linear time); both live here
too, with `printable`, which makes a path that is not valid UTF-8 safe to show.
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
    """`path` as the model should see it: relative to the work dir (`.` for the dir itself), and
    always encodable (`printable`)."""
    root = workdir.resolve()
    if path.is_absolute() and path.is_relative_to(root):
        return printable(path.relative_to(root).as_posix() or ".")
    return printable(str(path))


def printable(text: str) -> str:
    """`text` made safe to send: a file name's bytes that are not UTF-8 (which `os.fsdecode` keeps
    as lone surrogates) become U+FFFD, as ripgrep's output decoded with "replace" shows them.

        printable(os.fsdecode(b"bad\xffname"))  -> "bad\ufffdname"
    """
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a lone surrogate that came from no file name ("\ud800")
        return LONE_SURROGATE.sub("\ufffd", text)


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


# ---------------------------------------------------------------------------------------------

MAX_GLOB_ALTERNATIVES = 100
"""The most globs one pattern's braces may stand for: `{a,b}{c,d}` is four."""
STAR, ANY_DIRS, ANY = "*", "**/", "**"  # the wildcards, as glob_regex sees them; all else is regex


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Compile a glob: `*` and `?` within one name, `**` as a whole name for any folders (`**/`,
    `/**`; elsewhere it is `*`), `[a-z]` and `[!a]` (never a `/`), `{a,b}` either.

        glob_to_regex("src/**/*.py") matches "src/a.py" and "src/x/y/a.py", not "src/a.txt".

    The regex matches in linear time, however many stars: `*a*a*a*a*a*a*a*a*a*a*b` compiled the naive
    way (`[^/]*a[^/]*a...`) backtracks through every way to place the stars, minutes for one name.
    """
    alternatives = [glob_regex(tokens) for tokens in expand_braces(tokenize(pattern), pattern)]
    body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
    return re.compile(body, re.DOTALL)


def tokenize(pattern: str) -> list[str]:
    """The glob as regex pieces, each matching a fixed number of characters, and the markers
    `STAR`, `ANY_DIRS`, `ANY`, `{`, `,`, `}` (a literal `*` or `{` is escaped, so never a marker)."""
    tokens, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        end = pattern.find("]", i + 2) if c == "[" else -1  # a `]` right after `[` is literal
        if end != -1:
            body = pattern[i + 1 : end]
            negate = body[:1] in ("!", "^")
            chars = "".join(ch if ch == "-" else re.escape(ch) for ch in body[negate:])
            guard = "(?!/)" if negate or "/" in body else ""  # subtle: a class never matches `/`
            tokens.append(f"{guard}[{'^' if negate else ''}{chars}]")
            i = end + 1
            continue
        tokens.append(c if c in "*{,}" else "[^/]" if c == "?" else re.escape(c))
        i += 1
    return tokens


def expand_braces(tokens: list[str], pattern: str) -> list[list[str]]:
    """Every brace-free token list the tokens stand for: `*.{py,md}` is `*.py` and `*.md`."""

    def sequence(i: int, inside: bool) -> tuple[list[list[str]], int]:
        outs: list[list[str]] = [[]]
        while i < len(tokens) and not (inside and tokens[i] in (",", "}")):
            if tokens[i] == "{":
                choices, i = group(i + 1)
                outs = [out + choice for out in outs for choice in choices]
                if len(outs) > MAX_GLOB_ALTERNATIVES:
                    raise ToolError(f"Glob {pattern!r} has more than {MAX_GLOB_ALTERNATIVES} alternatives; "
                                    "use fewer braces.")
            else:  # outside braces, `,` and `}` are plain characters
                token = tokens[i] if tokens[i] not in (",", "}") else re.escape(tokens[i])
                outs = [[*out, token] for out in outs]
                i += 1
        return outs, i

    def group(i: int) -> tuple[list[list[str]], int]:
        choices: list[list[str]] = []
        while True:
            alternatives, i = sequence(i, inside=True)
            choices += alternatives
            if i >= len(tokens):
                raise ToolError(f"Unbalanced braces in glob {pattern!r}.")
            if tokens[i] == "}":
                return choices, i + 1
            i += 1  # a `,`

    return sequence(0, inside=False)[0]


def glob_regex(tokens: list[str]) -> str:
    """One brace-free glob as a regex that cannot backtrack without end.

    The trick of CPython's `fnmatch.translate`: a wildcard followed by text and then another
    wildcard matches that text at its *first* place, in an atomic group `(?>...)` the regex engine
    never comes back into; a later place could only leave the next wildcard less to choose from.
    """
    # 1. runs of stars: `**` that is a whole name (`**/x`, `x/**/y`, `x/**`) is any folders, else `*`
    parts, i = [], 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and tokens[j] == STAR:
            j += 1
        if j == i:
            parts.append(tokens[i])
            i += 1
            continue
        whole_name = (i == 0 or tokens[i - 1] == "/") and (j == len(tokens) or tokens[j] == "/")
        if j - i >= 2 and whole_name:
            parts.append(ANY_DIRS if j < len(tokens) else ANY)
            j += j < len(tokens)  # `**/` takes its `/` with it
        else:
            parts.append(STAR)
        i = j
    # 2. cut at each `**/`: a piece between two of them spans a fixed number of folder levels, so
    #    its first place is the best one too (the next `**/` can reach any later folder)
    pieces: list[list[str]] = [[]]
    for part in parts:
        if part == ANY_DIRS:
            pieces.append([])
        else:
            pieces[-1].append(part)
    out = [name_regex(pieces[0])]
    for n, piece in enumerate(pieces[1:], 2):
        first_place = n < len(pieces)
        out.append(f"(?>(?:.*?/)??{name_regex(piece)})" if first_place else f"(?:.*/)?{name_regex(piece)}")
    return "".join(out)


def name_regex(parts: list[str]) -> str:
    """A glob piece with no `**/`: `*` is `[^/]*`; the text between two stars is found at its first
    place (`(?>[^/]*?text)`), the text after the last star anywhere (`[^/]*text`).

        name_regex(["*", "a", "*", "b"]) -> "(?>[^/]*?a)[^/]*b"
    """
    chunks = [""]
    for part in parts:
        if part == STAR:
            chunks.append("")
        else:
            chunks[-1] += ".*" if part == ANY else part
    head, *starred = chunks
    if not starred:
        return head
    *middle, tail = starred
    return head + "".join(f"(?>[^/]*?{chunk})" for chunk in middle) + f"[^/]*{tail}"


def walk_files(base: Path) -> Iterator[Path]:
    """Regular files under `base` (or `base` itself), skipping `IGNORED_DIRS`, symlinks, and FIFOs,
    sockets and devices (reading one can block forever). Unreadable folders are skipped."""
    if base.is_file():
        yield base
        return
    folders = [base]
    while folders:
        try:
            with os.scandir(folders.pop()) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            # subtle: follow_symlinks=False answers from the listing itself (no stat on Linux)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in IGNORED_DIRS:
                        folders.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    yield Path(entry.path)
            except OSError:
                continue
