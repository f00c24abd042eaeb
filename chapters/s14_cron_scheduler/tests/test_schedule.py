"""The job model: cron checking, jitter (deterministic, bounded), due times, expiry; and /loop's intervals."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from s14_cron_scheduler.commands import parse_loop
from s14_cron_scheduler.schedule import CronError, CronJob, check_cron


def local(*args) -> datetime:
    return datetime(*args).astimezone()


MONDAY_9 = local(2026, 1, 5, 9, 0)


def job(cron="0 10 * * *", id="0123abcd", created_at=MONDAY_9, **fields) -> CronJob:
    return CronJob(id=id, cron=cron, prompt="run the tests", created_at=created_at, **fields)


# --- cron expressions -------------------------------------------------------------------------


def test_a_cron_expression_needs_five_fields_and_the_error_shows_them():
    assert check_cron("  */5  * * *   * ") == "*/5 * * * *"
    with pytest.raises(CronError, match="has 4 fields; a cron expression has 5: minute hour day-of-month month "
                                        "day-of-week"):
        check_cron("0 10 * *")
    with pytest.raises(CronError, match=r"bad minute \(minute=61 hour=\* day-of-month=\* month=\* day-of-week=\*\)"):
        check_cron("61 * * * *")
    with pytest.raises(CronError, match="has 6 fields"):
        check_cron("0 0 10 * * *")  # cronsim reads seconds as a sixth field; the tool does not
    with pytest.raises(CronError, match="bad day-of-month"):
        check_cron("0 0 30 2 *")  # never comes


# --- jitter -------------------------------------------------------------------------------------


def test_recurring_jitter_is_at_most_a_tenth_of_the_period_and_15_minutes():
    ids = [f"{n:08x}" for n in range(0, 2**32, 2**32 // 300)]
    for cron, cap in [("* * * * *", timedelta(seconds=6)), ("0 * * * *", timedelta(minutes=6)),
                      ("0 10 * * *", timedelta(minutes=15))]:
        offsets = {job(cron, id=i).jitter(local(2026, 1, 5, 10, 0)) for i in ids}
        assert all(timedelta(0) <= offset <= cap for offset in offsets), cron
        assert max(offsets) > cap * 0.9 and min(offsets) < cap * 0.1  # spread over the whole range


def test_one_shot_jitter_is_early_on_00_and_30_only():
    for minute, lo, hi in [(0, -90, 0), (30, -90, 0), (7, 0, 0)]:
        offsets = {job(f"{minute} 10 * * *", id=f"{n:08x}", recurring=False).jitter(local(2026, 1, 5, 10, minute))
                   for n in range(0, 2**32, 2**32 // 100)}
        assert all(lo <= offset.total_seconds() <= hi for offset in offsets)
        assert len(offsets) > 50 or (lo, hi) == (0, 0)


def test_jitter_comes_from_the_id_the_same_in_every_process():
    """Not `hash()`: Python salts it per process, and two agents must agree on a job's due time."""
    code = ("from datetime import datetime; from s14_cron_scheduler.schedule import CronJob; "
            "j = CronJob(id='5eed1e55', cron='0 10 * * *', prompt='p', created_at=datetime(2026, 1, 5, 9).astimezone()); "
            "print(j.next_due().isoformat())")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert seen == {job(id="5eed1e55").next_due().isoformat() + "\n"}


# --- due times ----------------------------------------------------------------------------------


def test_the_next_due_time_follows_the_last_fire():
    daily = job()
    first = local(2026, 1, 5, 10, 0)
    assert daily.next_cron_time() == first
    assert daily.next_due() == first + daily.jitter(first)
    fired = daily.after_fire(first, first + timedelta(minutes=20))
    assert fired.next_cron_time() == local(2026, 1, 6, 10, 0)


def test_due_by_lists_every_fire_since_the_last_one_and_a_one_shot_only_once():
    hourly = job("7 * * * *")  # minute 7: no one-shot jitter; hourly: up to 6 minutes late
    assert hourly.due_by(local(2026, 1, 5, 9, 6)) == []
    after_three = hourly.due_by(local(2026, 1, 5, 11, 14))
    assert after_three == [local(2026, 1, 5, 9, 7), local(2026, 1, 5, 10, 7), local(2026, 1, 5, 11, 7)]
    once = job("7 * * * *", recurring=False)
    assert once.due_by(local(2026, 1, 5, 12, 0)) == [local(2026, 1, 5, 9, 7)]


def test_a_recurring_job_fires_a_last_time_after_seven_days_and_a_one_shot_after_its_fire():
    daily = job()
    assert daily.expires_at == MONDAY_9 + timedelta(days=7)
    day_6 = local(2026, 1, 11, 10, 0)
    assert daily.after_fire(day_6, day_6 + timedelta(minutes=15)) is not None
    day_7 = local(2026, 1, 12, 10, 0)
    assert daily.after_fire(day_7, day_7 + timedelta(minutes=15)) is None  # its last fire
    assert job(recurring=False).after_fire(local(2026, 1, 5, 10), local(2026, 1, 5, 10)) is None


# --- /loop ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("argument", "cron", "prompt", "note"), [
    ("5m check the build", "*/5 * * * *", "check the build", ""),
    ("check the build", "*/10 * * * *", "check the build", ""),  # Claude Code's default: 10 minutes
    ("2h look at the deploy", "0 */2 * * *", "look at the deploy", ""),
    ("1d /todos", "0 0 * * *", "/todos", ""),
    ("30s poll", "* * * * *", "poll", "30s became 1m"),  # cron counts whole minutes
    ("7m poll", "*/6 * * * *", "poll", "7m became 6m"),  # */7 would fire at :56 and again at :00
    ("90m poll", "0 */2 * * *", "poll", "90m became 2h"),
])
def test_loop_turns_an_interval_into_a_cron_expression(argument, cron, prompt, note):
    loop = parse_loop(argument)
    assert (loop.cron, loop.prompt) == (cron, prompt)
    assert loop.note.startswith(note) and bool(loop.note) == bool(note)
    check_cron(loop.cron)


@pytest.mark.parametrize("argument", ["", "5m", "0m poll"])
def test_loop_without_a_prompt_or_with_a_zero_interval_says_how_to_use_it(argument):
    with pytest.raises(ValueError, match="usage: /loop"):
        parse_loop(argument)
