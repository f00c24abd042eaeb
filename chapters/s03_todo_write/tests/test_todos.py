"""TodoWrite through the registry (what the model gets back), the plan drawn for the user, /todos."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, slash, system_text
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use import Harness, ToolContext, ToolRegistry
from s03_todo_write import TodoItem, TodoPlanner
from s03_todo_write.display import render_plan
from s03_todo_write.todos import MAX_TODOS

STEPS = ["Find the bug", "Fix the bug", "Add a test"]
ACTIVE = ["Finding the bug", "Fixing the bug", "Adding a test"]


def plan(*statuses: str) -> list[dict]:
    """A plan in the model's JSON: `plan("completed", "in_progress", "pending")`."""
    return [{"content": STEPS[i % 3], "status": s, "activeForm": ACTIVE[i % 3]} for i, s in enumerate(statuses)]


def items(*statuses: str) -> list[TodoItem]:
    return [TodoItem.model_validate(todo) for todo in plan(*statuses)]


def recording_console() -> Console:
    return Console(record=True, width=80, file=io.StringIO())


def as_text(renderable) -> str:
    console = recording_console()
    console.print(renderable)
    return console.export_text()


@pytest.fixture
def write(tmp_path):
    """`write(todos)`: one TodoWrite call through the registry, as the loop makes it."""
    planner = TodoPlanner()
    registry = ToolRegistry().add(*planner.tools())

    def write(todos, **extra):
        return registry.call("TodoWrite", {"todos": todos, **extra}, ToolContext(workdir=tmp_path))

    write.planner = planner
    return write


# --- the tool -------------------------------------------------------------------------------


def test_a_plan_is_saved_and_repeated_to_the_model_with_a_nudge(write):
    result = write(plan("in_progress", "pending", "pending"))
    assert not result.is_error
    assert result.content == (
        "Plan saved (0 of 3 done):\n"
        "1. [in_progress] Find the bug\n2. [pending] Fix the bug\n3. [pending] Add a test\n"
        "Keep exactly one item in_progress; mark each item completed as soon as it is done, then start the next."
    )
    assert [todo.status for todo in write.planner.todos] == ["in_progress", "pending", "pending"]
    assert write.planner.todos[0].active_form == "Finding the bug"


def test_each_call_replaces_the_whole_plan_finished_and_cleared(write):
    write(plan("in_progress", "pending", "pending"))
    done = write(plan("completed", "completed"))
    assert done.content == "Plan saved: all 2 items are completed.\n1. [completed] Find the bug\n2. [completed] Fix the bug"
    assert len(write.planner.todos) == 2
    assert write([]).content == "Plan cleared: it has no items now."
    assert write.planner.todos == []


@pytest.mark.parametrize(
    ("todos", "message"),
    [
        (plan("in_progress", "in_progress", "pending"),
         "todos: 2 items are in_progress (#1 'Find the bug', #2 'Fix the bug'); keep exactly one in_progress: "
         "mark finished ones completed and the others pending"),
        ([{"content": "", "status": "pending", "activeForm": "Doing"}],
         "todos.0.content: String should have at least 1 character"),
        ([{"content": "Do it", "status": "pending", "activeForm": "   "}],
         "todos.0.activeForm: String should have at least 1 character"),
        (plan("pending") * (MAX_TODOS + 1),
         f"todos: a plan holds at most {MAX_TODOS} items, got {MAX_TODOS + 1}: merge small steps or drop finished ones"),
        ([{"content": "Do it", "status": "done", "activeForm": "Doing it"}],
         "todos.0.status: Input should be 'pending', 'in_progress' or 'completed'"),
        ([{"content": "Do it", "status": "pending"}], "todos.0.activeForm: Field required"),
        ([{"content": "Do it", "status": "pending", "activeForm": "Doing it", "priority": "high"}],
         "todos.0.priority: Extra inputs are not permitted"),
    ],
    ids=["two_in_progress", "empty_content", "blank_active_form", "too_many", "bad_status", "no_active_form",
         "extra_key"],
)  # fmt: skip
def test_a_broken_plan_is_refused_with_what_to_fix_and_the_old_plan_stays(write, todos, message):
    write(plan("completed", "in_progress"))
    before = list(write.planner.todos)
    result = write(todos)
    assert result.is_error
    assert result.content == f"Invalid input for TodoWrite: {message}"
    assert write.planner.todos == before


def test_exactly_max_todos_items_and_surrounding_spaces_are_fine(write):
    result = write([{"content": f"  Step {n} ", "status": "pending", "activeForm": f"Doing step {n}"}
                    for n in range(MAX_TODOS)])
    assert not result.is_error
    assert write.planner.todos[0].content == "Step 0"


def test_the_spec_is_claude_codes_todowrite():
    spec = TodoPlanner().tools()[0].spec()
    assert spec["name"] == "TodoWrite"
    todos = spec["input_schema"]["properties"]["todos"]
    assert todos["type"] == "array" and todos["maxItems"] == MAX_TODOS
    item = spec["input_schema"]["$defs"]["TodoItem"]
    assert item["required"] == ["content", "status", "activeForm"]
    assert item["properties"]["status"]["enum"] == ["pending", "in_progress", "completed"]


def test_in_the_loop_the_refusal_says_the_plan_was_not_changed_and_the_plan_is_shown(tmp_path):
    view, planner = RecordingView(), TodoPlanner()
    script = [tool_use("TodoWrite", todos=plan("in_progress", "in_progress")),
              tool_use("TodoWrite", todos=plan("completed", "in_progress")), text("ok")]
    model = ScriptedModel(script)
    agent = Harness(model, AgentConfig(model="m"), tmp_path, view, extensions=[planner])
    agent.run("plan it")
    refused = agent.messages[2]["content"][0]
    assert refused["is_error"] is True
    assert refused["content"].endswith("The plan was not changed; send the whole corrected list again.")
    assert len(view.items) == 1  # only the accepted plan is drawn
    assert "▶ Fixing the bug" in as_text(view.items[0])
    assert "# Planning with TodoWrite" in system_text(model.calls[0])
    model.assert_done()


# --- what the user sees ---------------------------------------------------------------------


def test_the_rendering_strikes_done_items_and_shows_the_current_one_in_its_active_form():
    rendered = render_plan(items("completed", "in_progress", "pending"))
    assert as_text(rendered).splitlines() == [
        "Plan · 1 of 3 done",
        "  ✔ Find the bug",
        "  ▶ Fixing the bug",
        "  ☐ Add a test",
    ]
    styles = {rendered.plain[span.start : span.end]: str(span.style) for span in rendered.spans}
    assert styles["Find the bug"] == "dim strike"
    assert styles["▶ Fixing the bug"] == "bold yellow"
    assert "Add a test" not in "".join(styles)  # pending: plain


def test_the_rendering_of_an_empty_plan():
    assert as_text(render_plan([])) == "Plan · empty\n  (no items)\n"


def test_slash_todos_shows_the_current_plan_or_says_there_is_none(write):
    agent = Harness(ScriptedModel([]), AgentConfig(model="m"), ".", extensions=[write.planner])
    console = recording_console()
    slash(agent, "/todos", console)
    write(plan("completed", "in_progress"))
    slash(agent, "/todos", console)
    assert "todos" not in Harness(ScriptedModel([]), AgentConfig(model="m"), ".").commands()  # no planner, no /todos
    assert console.export_text().splitlines() == [
        "no plan yet: the model writes one with TodoWrite when a task has several steps",
        "Plan · 1 of 2 done",
        "  ✔ Find the bug",
        "  ▶ Fixing the bug",
    ]
