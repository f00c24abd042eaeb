"""A task on the board, and the inputs of the four task tools, in Claude Code's 2.x shapes.

A task is a JSON file of its own (`.harness/tasks/3.json`):

    {"id": "3", "subject": "Fix the median", "description": "...", "activeForm": "Fixing the median",
     "status": "pending", "owner": null, "blocks": ["4"], "blockedBy": ["1", "2"]}

`blockedBy` lists the tasks that must be completed before this one can start; `blocks`, the
same edges seen from the other end. The board keeps both sides in step (board.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter

Status = Literal["pending", "in_progress", "completed"]
"""What a stored task can be. `deleted` is only an update: the file goes."""


def _plain_id(value):
    """`3`, `"3"` and `"#3"` all name task 3; anything else is checked against the board."""
    return str(value).strip().removeprefix("#").strip() if isinstance(value, int | str) else value


TaskId = Annotated[str, BeforeValidator(_plain_id), Field(min_length=1, max_length=40)]


@dataclass(slots=True)
class Task:
    """subtle: a plain dataclass, checked by pydantic when read (`parse_task`): a board of 1,000
    tasks is copied on every read, and a dataclass copies ten times faster than a model."""

    id: str
    subject: str
    description: str = ""
    activeForm: str | None = None
    """The subject in the present continuous ("Fixing the median"), shown while it is in progress."""
    status: Status = "pending"
    owner: str | None = None
    """Who works on it (s15's teammates put their names here); None: nobody yet."""
    blocks: list[str] = field(default_factory=list)
    blockedBy: list[str] = field(default_factory=list)

    @property
    def number(self) -> tuple[int, str]:
        """Sort key: numeric ids in numeric order (2 before 10)."""
        return (int(self.id), "") if self.id.isdigit() else (1 << 62, self.id)

    def copy(self) -> Task:
        """A copy with lists of its own, to change without touching the original."""
        return replace(self, blocks=list(self.blocks), blockedBy=list(self.blockedBy))

    def to_json(self) -> dict:
        return asdict(self)


parse_task = TypeAdapter(Task).validate_json
"""A task file's bytes to a `Task`; raises ValueError (pydantic's ValidationError) when it is not one."""


# --- tool inputs ------------------------------------------------------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskCreateInput(_Input):
    subject: str = Field(min_length=1, max_length=200,
                         description='A short title in the imperative: "Fix the median for even counts".')
    description: str = Field("", max_length=10_000, description="What needs doing, and how to tell it is done.")
    activeForm: str | None = Field(None, max_length=200,
                                   description='The subject in the present continuous: "Fixing the median".')


class TaskUpdateInput(_Input):
    taskId: TaskId = Field(description="The id of the task to change, e.g. \"3\" (not its subject).")
    status: Literal["pending", "in_progress", "completed", "deleted"] | None = Field(
        None, description="in_progress when you start it, completed when it is done, deleted to remove it.")
    subject: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    activeForm: str | None = Field(None, max_length=200)
    owner: str | None = Field(None, max_length=100, description="Who works on it; an empty string clears it.")
    addBlocks: list[TaskId] = Field(default_factory=list,
                                    description="Ids of tasks that cannot start until this one is completed.")
    addBlockedBy: list[TaskId] = Field(default_factory=list,
                                       description="Ids of tasks that must be completed before this one starts.")


class TaskGetInput(_Input):
    taskId: TaskId = Field(description='The id of the task, e.g. "3".')


class TaskListInput(_Input):
    pass
