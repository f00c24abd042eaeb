"""What an edit changed, shown to the user as a diff (Claude Code shows edits the same way).

The model gets its own short answer from the tool ("Lines 22-28 now read: ..."); the user sees a
unified diff, in colour on a terminal and as plain `diff -u` text in a pipe. `difflib` from the
standard library does the diffing; the view draws it as the tool's own output.
"""

from __future__ import annotations

import difflib

from rich.text import Text

MAX_DIFF_LINES = 40
MAX_DIFF_CHARS = 1_000_000
"""Files larger than this are not diffed for display (the edit itself is not limited by it)."""


def show_diff(ctx, shown: str, before: str, after: str) -> None:
    """Show the user what changed in `shown` (no agent, or a huge file: nothing is shown)."""
    if ctx.agent is None or len(before) + len(after) > 2 * MAX_DIFF_CHARS:
        return
    ctx.agent.view.show(diff_text(shown, before, after))


def diff_text(shown: str, before: str, after: str, limit: int = MAX_DIFF_LINES) -> Text:
    """A unified diff with 2 lines of context, coloured; at most `limit` lines, then how many more.

    >>> diff_text("a.py", "x = 1\\n", "x = 2\\n").plain.splitlines()[2:]
    ['@@ -1 +1 @@', '-x = 1', '+x = 2']
    """
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), f"a/{shown}", f"b/{shown}",
                                      n=2, lineterm=""))
    text = Text()
    for line in lines[:limit]:
        style = ("bold" if line.startswith(("---", "+++")) else "cyan" if line.startswith("@@")
                 else "green" if line.startswith("+") else "red" if line.startswith("-") else "dim")
        text.append(line.expandtabs() + "\n", style=style)
    if len(lines) > limit:
        text.append(f"… {len(lines) - limit} more diff lines\n", style="dim")
    text.rstrip()
    return text
