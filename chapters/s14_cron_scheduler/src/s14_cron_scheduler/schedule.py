"""The job model: a prompt, a 5-field cron expression in local time, and when it is next due.

What s14 adds first is data. A `CronJob` is what `CronCreate` makes and `.harness/scheduled_tasks.json`
keeps. The cron expression is parsed and iterated by cronsim (croniter does the same job): the lesson
is the scheduler, not the parser. What a job adds over the bare expression, Claude Code's rules:

    due time    the cron time, moved by a fixed per-job offset (jitter), so that a thousand sessions
                that all asked for "0 9 * * *" do not all call the API at 9:00:00
    expiry      a recurring job lives 7 days: it fires a last time after that, then it is gone
    one-shot    `recurring=False`: removed after its one fire

    job = CronJob.new("0 10 * * *", "run the tests", created_at=now)
    job.next_due()          # today (or tomorrow) at 10:00 plus this job's jitter
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from cronsim import CronSim, CronSimError
from pydantic import AwareDatetime, BaseModel, Field, field_validator

MAX_JOBS = 50
"""At most this many jobs, session and durable together."""
EXPIRES_AFTER = timedelta(days=7)
"""A recurring job fires a last time once it is this old, then it is removed."""
RECURRING_SPREAD = 0.10
"""A recurring job fires up to this fraction of its period late (an hourly job: up to 6 minutes)..."""
RECURRING_SPREAD_CAP = timedelta(minutes=15)
"""...but never more than this late (a daily job: up to 15 minutes)."""
ONE_SHOT_LEAD = timedelta(seconds=90)
"""A one-shot job due on :00 or :30, the minutes everyone picks, fires up to this much early."""
FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
MAX_COUNTED = 10_080
"""Missed fires counted at most (a job every minute for 7 days)."""


class CronError(ValueError):
    """A cron expression that cronsim cannot read, or that is not 5 fields."""


def check_cron(expr: str) -> str:
    """`expr` with its whitespace tidied, or a `CronError` that shows the 5 fields as read:

    check_cron("61  *  * * *")  ->  CronError: '61  *  * * *': bad minute (minute=61 hour=* day-of-month=*
                                   month=* day-of-week=*); e.g. '*/5 * * * *' (every 5 minutes) ...
    """
    parts = expr.split()
    example = "e.g. '*/5 * * * *' (every 5 minutes) or '30 9 * * 1-5' (9:30 on weekdays), in local time"
    if len(parts) != 5:
        raise CronError(f"{expr!r} has {len(parts)} field{'s' * (len(parts) != 1)}; a cron expression has 5: "
                        f"{' '.join(FIELDS)}; {example}")
    try:
        CronSim(" ".join(parts), datetime(2000, 1, 1))
    except CronSimError as error:
        shown = " ".join(f"{name}={part}" for name, part in zip(FIELDS, parts, strict=True))
        raise CronError(f"{expr!r}: {str(error).lower()} ({shown}); {example}") from None
    return " ".join(parts)


def explain(cron: str) -> str:
    """cronsim's words for an expression: "At 10:00 every day"."""
    return CronSim(cron, datetime(2000, 1, 1)).explain()


def cron_times(cron: str, after: datetime):
    """The local times `cron` names, after `after` (aware), as aware datetimes.

    subtle: cronsim iterates the naive wall-clock time (10:00 stays 10:00 across a daylight saving
    change); `astimezone()` then gives each one the offset this machine's zone has on that day."""
    for wall in CronSim(cron, after.astimezone().replace(tzinfo=None)):
        yield wall.astimezone()


# ---------------------------------------------------------------------------------------------


class CronJob(BaseModel):
    id: str = Field(pattern=r"^[0-9a-f]{8}$")
    """8 hex digits, random: what CronDelete names."""
    cron: str
    """5 fields in local time: minute hour day-of-month month day-of-week."""
    prompt: str
    """What runs as a user turn when the job fires."""
    recurring: bool = True
    """False: fire once, then remove."""
    durable: bool = False
    """Kept in `.harness/scheduled_tasks.json` (survives a restart) rather than in this session only."""
    created_at: AwareDatetime
    last_fired: AwareDatetime | None = None
    """The cron time (before jitter) of the last fire; the next fire is the cron time after it."""

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, cron: str) -> str:
        return check_cron(cron)  # subtle: a hand-edited file can hold anything; such an entry is kept unread

    @classmethod
    def new(cls, cron: str, prompt: str, created_at: datetime, recurring: bool = True,
            durable: bool = False) -> CronJob:
        return cls(id=secrets.token_hex(4), cron=cron, prompt=prompt, recurring=recurring, durable=durable,
                   created_at=created_at.replace(microsecond=0))

    @property
    def expires_at(self) -> datetime | None:
        return self.created_at + EXPIRES_AFTER if self.recurring else None

    def jitter(self, cron_time: datetime) -> timedelta:
        """This job's fixed offset for a fire at `cron_time`: later for a recurring job, earlier for
        a one-shot on :00/:30, nothing otherwise.

        subtle: the fraction comes from sha256 of the id, never `hash()`, which Python salts per
        process: two agents (or one agent before and after a restart) must agree on it."""
        # 1. a number in [0, 1) that only the id decides
        fraction = int.from_bytes(hashlib.sha256(self.id.encode()).digest()[:4], "big") / 2**32
        if self.recurring:
            # 2. a recurring job: a share of the time to the fire after this one, capped
            period = next(cron_times(self.cron, cron_time)) - cron_time
            offset = min(period * RECURRING_SPREAD, RECURRING_SPREAD_CAP) * fraction
        else:
            # 3. a one-shot job on the minutes everyone picks comes a little early; elsewhere, on time
            offset = -ONE_SHOT_LEAD * fraction if cron_time.minute % 30 == 0 else timedelta(0)
        return timedelta(seconds=round(offset.total_seconds()))  # whole seconds: times read better

    def due(self, cron_time: datetime) -> datetime:
        """When the fire for `cron_time` is due: the cron time plus this job's jitter."""
        return cron_time + self.jitter(cron_time)

    def next_cron_time(self) -> datetime:
        """The first cron time after the last fire (or after the job was made)."""
        return next(cron_times(self.cron, self.last_fired or self.created_at))

    def next_due(self) -> datetime:
        return self.due(self.next_cron_time())

    def due_by(self, now: datetime, limit: int = MAX_COUNTED) -> list[datetime]:
        """The cron times since the last fire whose fire is due by `now`, oldest first (at most `limit`)."""
        found = []
        for cron_time in cron_times(self.cron, self.last_fired or self.created_at):
            if self.due(cron_time) > now or len(found) >= limit:
                break
            found.append(cron_time)
            if not self.recurring:
                break
        return found

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def after_fire(self, cron_time: datetime, now: datetime) -> CronJob | None:
        """The job once it has fired for `cron_time`; None when that was its last fire (a one-shot
        job, or a recurring one past its 7 days: it fires a last time, then it goes)."""
        if not self.recurring or self.expired(now):
            return None
        return self.model_copy(update={"last_fired": cron_time})

    def summary(self) -> str:
        """One line for CronList: `a1b2c3d4 0 10 * * * (At 10:00 every day; recurring, durable) next ...: prompt`."""
        return f"{self.id} {self.cron} ({self.kind()}) next {when(self.next_due())}: {self.prompt}"

    def kind(self) -> str:
        """`At 10:00 every day; recurring, durable`."""
        return (f"{explain(self.cron)}; {'recurring' if self.recurring else 'once'}, "
                f"{'durable' if self.durable else 'this session'}")


def when(moment: datetime) -> str:
    """A local time for the user and the model: `Mon 2026-01-05 10:06:12`."""
    return moment.astimezone().strftime("%a %Y-%m-%d %H:%M:%S")
