"""TodoPlanner: s03's capability, a plan the model keeps and the user watches, as one `Extension`.

s02's harness already has every point this needs, so nothing in the loop changes:
    tools           `TodoWrite` replaces the whole plan, shows it, and repeats it to the model
    system_prompt   when to plan, and how to keep the plan honest (the section "planning")
    post_tool_use   a refused plan says that the old one still stands
    before_request  a reminder, after N rounds in which the model did not touch an unfinished plan
    on_event        a new conversation (`/clear`) starts without a plan
    commands        `/todos` shows the plan
The plan lives here, one per agent (a subagent does not inherit this extension, so it has none).
"""

from __future__ import annotations

from functools import partial

from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension, Section
from s02_tool_use.tools import Tool, ToolCall, ToolContext, ToolResult

from .display import render_plan
from .todos import MAX_TODOS, TodoItem, TodoWriteInput, plan_text, progress, unfinished

TOOL_NAME = "TodoWrite"
REMIND_AFTER = 3

DESCRIPTION = (
    "Create or update your plan for the current task: a short checklist the user sees as it changes. "
    "Send the WHOLE list every time; it replaces the previous one. Each item has `content`, the step in "
    'the imperative ("Run the tests"), `activeForm`, the same step in the present continuous ("Running '
    'the tests"), and a `status`: pending, in_progress or completed. Keep exactly one item in_progress '
    "while you work; mark it completed as soon as it is done, then set the next one in_progress. Use it "
    f"for tasks of three or more steps; skip it for a single simple step. At most {MAX_TODOS} items."
)

GUIDANCE = """# Planning with TodoWrite
For a task with three or more steps, or when the user asks for several things, first write a plan
with the TodoWrite tool. Mark an item in_progress before you start on it (one item at a time) and
completed right after it is done, without waiting to batch updates. Add items you discover, drop
items that no longer apply. Skip the plan for a single simple step or a plain question."""

NUDGE = "Keep exactly one item in_progress; mark each item completed as soon as it is done, then start the next."

REMINDER = """<system-reminder>
You have not updated your plan with TodoWrite in the last {n} rounds. It still reads:
{plan}
If an item is done, mark it completed now and set the next one in_progress; if the plan no longer
fits the work, rewrite it. Do not mention this reminder to the user.
</system-reminder>"""


class TodoPlanner(Extension):
    def __init__(self, remind_after: int = REMIND_AFTER):
        self.remind_after = remind_after
        """Model rounds without a plan update before a reminder; 0 means never remind."""
        self.todos: list[TodoItem] = []  # the plan, exactly as the model last wrote it
        self.rounds_since_update = 0  # model replies since the plan changed or the last reminder

    def tools(self) -> list[Tool]:
        # subtle: the tool is a bound method, so each agent's TodoWrite writes that agent's plan
        return [Tool(TOOL_NAME, DESCRIPTION, TodoWriteInput, self.todo_write, kind="internal",
                     tip="For a task of three steps or more, keep a plan with TodoWrite.")]

    def commands(self) -> dict[str, SlashCommand]:
        return {"todos": SlashCommand("show the current plan", partial(show_todos, self))}

    def system_prompt(self, agent) -> Section:
        return Section("planning", GUIDANCE)

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "SessionStart" and data.get("source") == "clear":
            self.todos, self.rounds_since_update = [], 0  # the plan belonged to the old conversation

    def todo_write(self, args: TodoWriteInput, ctx: ToolContext) -> str:
        """`TodoWrite`: the input is already a valid plan (pydantic checked it); keep it and show it."""
        self.todos = args.todos
        self.rounds_since_update = 0
        if ctx.agent is not None:
            ctx.agent.view.show(render_plan(self.todos))
        if not self.todos:
            return "Plan cleared: it has no items now."
        if not unfinished(self.todos):
            return f"Plan saved: all {len(self.todos)} items are completed.\n{plan_text(self.todos)}"
        return f"Plan saved ({progress(self.todos)}):\n{plan_text(self.todos)}\n{NUDGE}"

    def post_tool_use(self, agent, call: ToolCall, result: ToolResult) -> ToolResult | None:
        if call.name == TOOL_NAME and result.is_error:
            note = "The plan was not changed; send the whole corrected list again."
            return ToolResult(f"{result.content.rstrip('.')}. {note}", is_error=True)
        return None

    def before_request(self, agent) -> None:
        """Remind the model of its plan when it has gone `remind_after` rounds without updating it."""
        # 1. only while work is under way: no plan, or a finished one, is nothing to nag about
        due = self.remind_after and unfinished(self.todos) and self.rounds_since_update >= self.remind_after
        if due:
            # 2. the request ends on a user message holding this round's tool_results; the reminder
            #    joins it as a text block AFTER them (tool_results must come first in their message)
            reminder = REMINDER.format(n=self.rounds_since_update, plan=plan_text(self.todos))
            agent.add_user([{"type": "text", "text": reminder}])
            note = f"↻ reminded the model of its plan ({self.rounds_since_update} rounds without an update)"
            agent.view.notice(Text(note, style="dim"))
            # 3. count again from zero: one reminder per `remind_after` quiet rounds, not one per round
            self.rounds_since_update = 0
        # 4. the request about to go out is one more round; a TodoWrite in its reply sets this back to 0
        self.rounds_since_update += 1


# ---------------------------------------------------------------------------------------------


def show_todos(planner: TodoPlanner, agent, argument: str, console) -> None:
    """The `/todos` slash command: print the current plan."""
    if not planner.todos:
        console.print("[dim]no plan yet: the model writes one with TodoWrite when a task has several steps[/]")
    else:
        console.print(render_plan(planner.todos))
