"""What the model sees of the scheduler: the inputs and descriptions of CronCreate, CronList and
CronDelete (Claude Code's names and fields), and the words of a CronCreate result.

A bad cron expression is refused by the input model, so the model gets an `is_error` result that
shows the 5 fields as they were read, and sends a corrected call.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from .schedule import MAX_JOBS, CronError, CronJob, check_cron, explain, when
from .store import FILE_NAME

CREATE = (
    "Schedule a prompt to run later, as if the user typed it then: once, or on a cron schedule. `cron` has "
    "5 fields in the user's local time: minute hour day-of-month month day-of-week ('*/5 * * * *' every 5 "
    "minutes, '30 9 * * 1-5' weekdays at 9:30, '15 14 28 2 *' with recurring=false for a one-time reminder "
    "on Feb 28 at 14:15). Recurring jobs (the default) expire after 7 days: they fire a last time, then "
    "they are removed. durable=true keeps the job in .harness/" + FILE_NAME + " so it survives a restart; "
    "otherwise it ends with this session. To spread load, a recurring job fires up to 10% of its period "
    "late (at most 15 minutes) and a one-shot job on :00 or :30 up to 90 s early: when the user gives no "
    f"exact minute, pick one that is not :00 or :30. At most {MAX_JOBS} jobs. Returns the job id."
)
LIST = "List the scheduled jobs (this session's and the durable ones): id, cron, next fire time, prompt."
DELETE = "Delete a scheduled job by its id (CronCreate returned it; CronList shows them)."

Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class CronCreateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cron: str = Field(description="5 fields, local time: minute hour day-of-month month day-of-week.")
    prompt: Line = Field(description="What to run when it fires, written as the user's request.")
    recurring: bool = Field(True, description="true: on every match (expires after 7 days); false: once.")
    durable: bool = Field(False, description="true: saved in the project, survives a restart; false: this session.")

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, cron: str) -> str:
        try:
            return check_cron(cron)
        except CronError as error:
            raise PydanticCustomError("bad_cron", str(error)) from None


class CronListInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CronDeleteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Line = Field(description="The job id, 8 hex digits.")


def created_text(job: CronJob, one_task: bool = False) -> str:
    """The CronCreate result: what was scheduled, when it fires first (and why not on the dot)."""
    cron_time = job.next_cron_time()
    offset = job.jitter(cron_time).total_seconds()
    jitter = f" ({cron_time:%H:%M} {'+-'[offset < 0]} this job's jitter, {span(abs(offset))})" if offset else ""
    lines = [f"Scheduled {job.id}: {explain(job.cron)} ({job.cron}).",
             f"Durable: kept in .harness/{FILE_NAME}, it survives a restart." if job.durable
             else "For this session only: it ends when the agent exits.",
             f"Next fire: {when(job.due(cron_time))}{jitter}.",
             f"Recurring: it expires {when(job.expires_at)} (7 days), after a last fire." if job.recurring
             else "Once: it is removed after it fires."]
    if one_task and not job.durable:
        lines.append("This run does one task and ends (-q): a session job will not fire; make it durable to keep it.")
    return "\n".join(lines)


def span(seconds: float) -> str:
    """`6 min 12 s`, `45 s`."""
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
