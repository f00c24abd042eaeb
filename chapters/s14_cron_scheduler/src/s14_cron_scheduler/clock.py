"""`Clock`: the scheduler's sense of time, which tests and the demo set.

The scheduler never calls `datetime.now()` or `time.sleep()` itself. It asks for the local time with
`clock()` and waits with `wait(event, seconds)`, and both are handed to it: tests pass a clock they
move by hand (and call `Scheduler.tick(now)` directly), the demo passes one that starts at 09:40
when its job is made and runs 600 times fast, so the job, due at 10:00, fires 2 s later.

    clock = Clock()                                    # this machine's local time
    clock = Clock(start=today_at("09:40"), speed=600)  # the demo's (--clock-start, --clock-speed)
    Scheduler(workdir, inbox, clock=clock.now, wait=clock.wait)
"""

from __future__ import annotations

import argparse
import threading
import time
from datetime import date, datetime, timedelta

MAX_NAP = 1.0
"""Real seconds the ticker sleeps at most before it looks again. subtle: a wait measures monotonic
time, which stands still while a laptop sleeps and ignores a wall-clock change; looking every second
also sees a job another agent wrote into the shared file."""
MIN_NAP = 0.01
"""Real seconds it sleeps at least: a job that stays due (its file is locked) is not a busy loop."""


class Clock:
    def __init__(self, start: datetime | None = None, speed: float = 1.0):
        self.start = start
        """None: the machine's time. Else the local time this clock shows when it is first read."""
        self.speed = speed
        """How many clock seconds pass in a real second."""
        self.began: float | None = None  # time.monotonic() at the first reading of a set clock

    def now(self) -> datetime:
        """The local time, as an aware datetime.

        subtle: a set clock starts running when it is first read, not when it is made. The scheduler
        reads it only once there is a job, so the demo's clock shows 09:40:00 when its job is made,
        however long the first request took (the SDK loads meanwhile)."""
        if self.start is None and self.speed == 1:
            return datetime.now().astimezone()
        if self.began is None:
            self.began = time.monotonic()
        start = self.start or datetime.now().astimezone()
        return start + timedelta(seconds=(time.monotonic() - self.began) * self.speed)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait until `event` is set or `seconds` of this clock pass, but at most `MAX_NAP` real
        seconds. True if the event was set."""
        return event.wait(min(max(seconds / self.speed, MIN_NAP), MAX_NAP))

    def describe(self) -> str | None:
        """A line for the user when this clock is not the machine's, else None."""
        if self.start is None and self.speed == 1:
            return None
        pace = f", running {self.speed:g} times fast" if self.speed != 1 else ""
        start = f"at {self.start:%H:%M:%S}" if self.start else "now"
        return f"the scheduler's clock is set: it starts {start} when first read{pace} (a demo option)"


def today_at(text: str) -> datetime:
    """`HH:MM` or `HH:MM:SS`, today, in local time (the type of `--clock-start`)."""
    try:
        moment = datetime.strptime(text, "%H:%M:%S" if text.count(":") == 2 else "%H:%M").time()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a time of day such as 09:20 or 09:59:57") from None
    return datetime.combine(date.today(), moment).astimezone()


def positive(text: str) -> float:
    """A number above zero (the type of `--clock-speed`)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0")
    return value
