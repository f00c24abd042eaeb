"""The plan as the user sees it: a checklist drawn with rich, shown each time the plan changes.

The model reads `plan_text` (plain words); the user sees this. The item being worked on shows
its `activeForm`, so the list reads like a status line: what is done, what is happening now,
what is next.
"""

from __future__ import annotations

from rich.text import Text

from .todos import TodoItem, progress

MARKS = {"completed": "✔", "in_progress": "▶", "pending": "☐"}


def render_plan(todos: list[TodoItem]) -> Text:
    """A rich `Text` such as

        Plan · 1 of 3 done
          ✔ Fix median_word_length              (dim, struck through)
          ▶ Adding a test for unsorted words    (bold: the activeForm)
          ☐ Run the tests
    """
    text = Text.assemble(("Plan", "bold"), (f" · {progress(todos)}", "dim"))
    if not todos:
        text.append("\n  (no items)", style="dim")
    for todo in todos:
        text.append("\n  ")
        if todo.status == "completed":
            text.append(f"{MARKS['completed']} ", style="green")
            text.append(todo.content, style="dim strike")
        elif todo.status == "in_progress":
            text.append(f"{MARKS['in_progress']} {todo.active_form}", style="bold yellow")
        else:
            text.append(f"{MARKS['pending']} {todo.content}")
    return text
