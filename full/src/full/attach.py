"""`Attachments`: `@path` in a prompt attaches that file, as in Claude Code.

    > why does @wordstats/stats.py fail on @"texts/my notes.txt"?

On `UserPromptSubmit` each `@token` that names a file in the work dir is read and added to the
conversation before the prompt, as numbered lines read by s02's `read_file` (the same reader, the
same caps): a big file gives its first ATTACH_CHARS characters and read_file's own line saying
how to read the rest. A folder gives its listing. A token is `@` at the start of the prompt or
after a space, then the path: quoted (`@"a b.txt"`) or with escaped spaces (`@a\\ b.txt`); an
e-mail address (`me@example.com`) is not one, and a trailing `.`, `,` `)`... is dropped when the
path without it exists. A token that names nothing leaves the prompt as it is, and the user gets
one line about it; so does a file that cannot be attached (binary, outside the work dir, denied).

Reading a file the user named is not a model tool call: no `PreToolUse` hook runs and no one is
asked. But s07's deny rules still apply, as in Claude Code: a path a `Read(...)` deny rule covers
is not attached, and a folder's listing leaves out the entries those rules hide. Allow and ask
rules and the permission mode do not matter here: naming the file is the user's own request.
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

from rich.text import Text

from s02_tool_use.extension import Extension, Outcome
from s02_tool_use.files import ReadFileInput, read_file
from s02_tool_use.paths import display_path, printable, resolve_in_workdir
from s02_tool_use.tools import ToolCall, ToolContext, ToolError
from s07_permission_system.permissions import Permissions

ATTACH_CHARS = 40_000
"""At most this many characters of one file go in (about 10k tokens); read_file's line says the rest."""
LISTING_ENTRIES = 200
TOKEN = re.compile(r'(?<!\S)@(?:"([^"\n]+)"|((?:\\ |[^\s"])+))')
"""`@"quoted path"` or `@path`, with `\\ ` for a space; only at the start or after whitespace."""
TRAILING = ".,;:!?)]}'"


class Attachments(Extension):
    def __init__(self):
        self.attached: list[str] = []  # what the last prompt attached, told once the prompt is in

    def on_event(self, agent, event: str, data: dict) -> Outcome | None:
        if event != "UserPromptSubmit":
            return None
        self.attached = []
        context, missing = [], []
        for token in mentions(data.get("prompt") or ""):
            try:
                found = self.attach(agent, token)
            except ToolError as error:
                agent.view.notice(Text(f"@{token} not attached: {error}", style="yellow"))
                continue
            if found is None:
                missing.append(f"@{token.rstrip(TRAILING) or token}")
            else:
                context.append(found)
        if missing:
            agent.view.notice(Text(f"{', '.join(missing)}: no such file or folder in the work dir; "
                                   "the prompt is sent as it is", style="yellow"))
        return Outcome(context=context) if context else None

    def before_request(self, agent) -> None:
        """subtle: said only now, once the prompt is in: a UserPromptSubmit hook may still block it."""
        for line in self.attached:
            agent.view.notice(Text(line, style="dim"))
        self.attached = []

    # -----------------------------------------------------------------------------------------

    def attach(self, agent, token: str) -> str | None:
        """The context block for `@token`, None if it names nothing; a `ToolError` says why not."""
        path = existing(agent.workdir, token)
        if path is None:
            return None
        target = resolve_in_workdir(agent.workdir, path)  # outside the work dir: a ToolError
        shown = display_path(agent.workdir, target)
        if denied := read_denial(agent, shown):
            raise ToolError(f"{denied} denies reading it")
        if target.is_dir():
            listing, n = folder_listing(agent, target)
            self.attached.append(f"⎿ attached the folder {shown}/ ({n} entr{'y' if n == 1 else 'ies'})")
            return f"The user attached the folder {shown}/ (@{token}); its listing:\n{listing}"
        ctx = ToolContext(agent.workdir, agent)
        text = read_file(ReadFileInput(path=shown), ctx)
        if len(text) > ATTACH_CHARS:  # read again, only the lines that fit: read_file says where the rest is
            fits = max(1, text.count("\n", 0, ATTACH_CHARS))
            text = read_file(ReadFileInput(path=shown, limit=fits), ctx)
        self.attached.append(f"⎿ attached {shown} ({described(text)})")
        return f"The user attached the file {shown} (@{token}), read with read_file:\n{text}"


# ---------------------------------------------------------------------------------------------


def mentions(prompt: str) -> list[str]:
    """The paths a prompt's `@` tokens name, each once, in order: `@a.py @"b c.md" x@y.z` -> a.py, b c.md."""
    found = [quoted or bare.replace("\\ ", " ") for quoted, bare in TOKEN.findall(prompt)]
    return list(dict.fromkeys(found))


def existing(workdir: Path, token: str) -> str | None:
    """`token`, or `token` without trailing punctuation ("see @a.py."), whichever exists; else None."""
    for candidate in dict.fromkeys([token, token.rstrip(TRAILING)]):
        if candidate and not candidate.startswith("~") and os.path.lexists(Path(workdir, candidate)):
            return candidate
    return None


def read_denial(agent, shown: str) -> str | None:
    """The deny rule that keeps read_file from `shown` (s07's own decision), or None."""
    permissions = Permissions.of(agent)
    if permissions is None:
        return None
    decision = permissions.decide(agent, ToolCall("attachment", "read_file", {"path": shown}))
    return decision.reason if decision.behavior == "deny" else None


def folder_listing(agent, folder: Path) -> tuple[str, int]:
    """The folder's entries, sorted, folders with a `/`, at most LISTING_ENTRIES; what deny rules hide left out."""
    with os.scandir(folder) as entries:
        names = sorted((entry.name + "/" * entry.is_dir(), entry.name) for entry in entries)
    root = display_path(agent.workdir, folder)
    visible = [name for name, raw in names
               if not read_denial(agent, raw if root == "." else f"{root}/{raw}")]
    lines = [printable(name) for name in visible[:LISTING_ENTRIES]]
    if len(visible) > LISTING_ENTRIES:
        lines.append(f"... and {len(visible) - LISTING_ENTRIES} more; use glob to see them.")
    if hidden := len(names) - len(visible):
        lines.append(f"[{hidden} entr{'y' if hidden == 1 else 'ies'} that deny rules hide left out]")
    return "\n".join(lines) or "(empty folder)", len(visible)


def described(text: str) -> str:
    """`12 lines`, or `lines 1-300 of 5000`, from what read_file returned."""
    if text == "(empty file)":
        return "empty"
    if match := re.search(r"\n\.\.\. \(lines (\d+-\d+ of \d+)", text):
        return f"lines {match.group(1)}"
    n = text.count("\n") + 1
    return f"{n} line{'s' * (n != 1)}"


# --- completion -------------------------------------------------------------------------------

SUGGESTIONS = 50
"""At most this many paths offered at once."""
PARTIAL = re.compile(r'(?<!\S)@((?:\\ |[^\s"@])*)$')
"""An `@path` being typed at the cursor (not quoted: the suggestion adds the escapes)."""


def mention_completer(agent):
    """s01's `Chapter.completer` point: after `@`, the work dir's files and folders that start with
    what is typed, a folder with `/` to go on into it; hidden ones only once a `.` is typed, and
    none that a deny rule hides (the same check as attaching)."""
    from prompt_toolkit.completion import Completer, Completion

    class Mentions(Completer):
        def get_completions(self, document, complete_event):
            if (match := PARTIAL.search(document.text_before_cursor)) is None:
                return
            typed = match.group(1).replace("\\ ", " ")
            for path in paths_like(agent, typed):
                yield Completion("@" + path.replace(" ", "\\ "), -len(match.group(0)), display=path)

    return Mentions()


def paths_like(agent, typed: str) -> list[str]:
    """The paths in the work dir that go on from `typed` (`wordstats/st` -> `wordstats/stats.py`)."""
    folder, _, start = typed.rpartition("/")
    try:
        base = resolve_in_workdir(agent.workdir, folder or ".")
        with os.scandir(base) as entries:
            found = sorted((entry.name + "/" * entry.is_dir(follow_symlinks=False)) for entry in entries
                           if entry.name.startswith(start) and (start.startswith(".") or entry.name[0] != "."))
    except (OSError, ToolError):
        return []
    paths = (f"{folder}/{name}" if folder else name for name in found)
    # subtle: lazily, so a keystroke in a folder of thousands asks the rules about SUGGESTIONS of them, not all
    return list(itertools.islice((path for path in paths if not read_denial(agent, path.rstrip("/"))), SUGGESTIONS))
