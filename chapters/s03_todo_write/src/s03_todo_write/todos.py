"""The plan as data: what s03 adds is a tool, `TodoWrite`, whose input IS the model's plan.

The shape is Claude Code's: a list of items, each with `content` (the step in the imperative,
"Run the tests"), `activeForm` (the same step while it happens, "Running the tests") and a
`status`. The model never edits one item: every call sends the whole list again, so the plan it
sees in its context is always the plan we hold. The rules of a good plan are pydantic validators;
the registry turns a broken rule into an `is_error` result that names it, and the model fixes it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

MAX_TODOS = 20
"""A plan longer than this is a backlog, not a plan."""

Status = Literal["pending", "in_progress", "completed"]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-empty string; surrounding whitespace is dropped."""


class TodoItem(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_by_name=True)

    content: Line = Field(description='The step in the imperative, e.g. "Run the tests".')
    status: Status = Field(description="pending, in_progress (one item at most) or completed.")
    active_form: Line = Field(
        alias="activeForm", description='The step in the present continuous, e.g. "Running the tests".'
    )
    """subtle: Claude Code's name is camelCase; the alias keeps it on the wire and in error messages."""


class TodoWriteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    todos: list[TodoItem] = Field(
        description="The whole updated plan, in order; an empty list clears it.",
        json_schema_extra={"maxItems": MAX_TODOS},
    )

    @field_validator("todos")
    @classmethod
    def _a_plan_one_can_follow(cls, todos: list[TodoItem]) -> list[TodoItem]:
        # 1. bounded: a short list the model can keep in mind and the user can read at a glance
        if len(todos) > MAX_TODOS:
            raise PydanticCustomError(
                "too_many_todos",
                "a plan holds at most {limit} items, got {n}: merge small steps or drop finished ones",
                {"limit": MAX_TODOS, "n": len(todos)},
            )
        # 2. focused: one thing at a time, so "what am I doing now?" has one answer
        current = [f"#{i} {todo.content!r}" for i, todo in enumerate(todos, 1) if todo.status == "in_progress"]
        if len(current) > 1:
            raise PydanticCustomError(
                "several_in_progress",
                "{n} items are in_progress ({items}); keep exactly one in_progress: "
                "mark finished ones completed and the others pending",
                {"n": len(current), "items": ", ".join(current)},
            )
        return todos


# ---------------------------------------------------------------------------------------------


def plan_text(todos: list[TodoItem]) -> str:
    """The plan as the model reads it, one numbered line per item:

    1. [completed] Find the bug
    2. [in_progress] Fix median_word_length
    3. [pending] Add a test
    """
    return "\n".join(f"{i}. [{todo.status}] {todo.content}" for i, todo in enumerate(todos, 1))


def progress(todos: list[TodoItem]) -> str:
    """`2 of 3 done` (or `empty` for no plan)."""
    if not todos:
        return "empty"
    done = sum(todo.status == "completed" for todo in todos)
    return f"{done} of {len(todos)} done"


def unfinished(todos: list[TodoItem]) -> bool:
    """Work is under way: some item is still pending or in progress."""
    return any(todo.status != "completed" for todo in todos)
