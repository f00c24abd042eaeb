"""The Scheduler in one process, its time driven by hand: the tools as the model calls them, `tick(now)`
posting due prompts to a test inbox, durable jobs shared by two agents under the lock, fires missed
while no agent ran, the ticker thread, /loop and /cron."""

from __future__ import annotations

import io
import json
import threading
from datetime import datetime, timedelta

import pytest
from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.inbox import Inbox, Posted
from s01_agent_loop.cli.testing import slash
from s01_agent_loop.scripted import ScriptedModel, text
from s02_tool_use import Harness, ToolContext, ToolRegistry
from s14_cron_scheduler import CronJob, Scheduler
from s14_cron_scheduler.cron_tools import span
from s14_cron_scheduler.schedule import MAX_JOBS, when


def local(*args) -> datetime:
    return datetime(*args).astimezone()


MONDAY_9 = local(2026, 1, 5, 9, 0)


class Agent:
    """One agent's scheduler in `workdir`, at a time the test sets (`agent.now`)."""

    def __init__(self, workdir, now=MONDAY_9):
        self.now = now
        self.inbox = Inbox()
        self.scheduler = Scheduler(workdir, self.inbox, clock=lambda: self.now)
        self.registry = ToolRegistry().add(*self.scheduler.tools())
        self.workdir = workdir

    def call(self, name, **tool_input):
        return self.registry.call(name, tool_input, ToolContext(self.workdir))

    def create(self, cron="0 10 * * *", prompt="run the tests", **fields) -> CronJob:
        result = self.call("CronCreate", cron=cron, prompt=prompt, **fields)
        assert not result.is_error, result.content
        job_id = result.content.split()[1].rstrip(":")
        return next(job for job in self.scheduler.jobs() if job.id == job_id)

    def tick(self, now) -> list[str]:
        self.now = now
        return self.scheduler.tick(now)

    def taken(self) -> list[Posted]:
        """The prompts posted so far, taken out of the inbox (as the REPL would)."""
        found = self.inbox.waiting()
        self.inbox.items.queue.clear()
        return found


def stored(workdir) -> list[dict]:
    return json.loads((workdir / ".harness" / "scheduled_tasks.json").read_text())["jobs"]


# --- the tools --------------------------------------------------------------------------------


def test_cron_create_answers_with_the_id_the_first_fire_and_the_expiry(tmp_path):
    agent = Agent(tmp_path)
    result = agent.call("CronCreate", cron="0 10 * * *", prompt="run the tests")
    job = agent.scheduler.jobs()[0]
    offset = job.jitter(local(2026, 1, 5, 10))
    jitter = f" (10:00 + this job's jitter, {span(offset.total_seconds())})" if offset else ""
    assert timedelta(0) <= offset <= timedelta(minutes=15)
    assert result.content.splitlines() == [
        f"Scheduled {job.id}: At 10:00 every day (0 10 * * *).",
        "For this session only: it ends when the agent exits.",
        f"Next fire: {when(local(2026, 1, 5, 10) + offset)}{jitter}.",
        "Recurring: it expires Mon 2026-01-12 09:00:00 (7 days), after a last fire.",
    ]
    assert not (tmp_path / ".harness").exists()  # a session job writes nothing


def test_a_bad_cron_expression_is_an_error_result_that_shows_the_five_fields(tmp_path):
    agent = Agent(tmp_path)
    result = agent.call("CronCreate", cron="0 25 * * *", prompt="x")
    assert result.is_error
    assert "bad hour (minute=0 hour=25 day-of-month=* month=* day-of-week=*)" in result.content
    assert agent.call("CronCreate", cron="every morning", prompt="x").content.startswith(
        "Invalid input for CronCreate: cron: 'every morning' has 2 fields; a cron expression has 5: minute hour")
    assert agent.call("CronCreate", cron="* * * * *", prompt="  ").is_error
    assert agent.scheduler.jobs() == []


def test_at_most_fifty_jobs_session_and_durable_together(tmp_path):
    agent = Agent(tmp_path)
    for n in range(MAX_JOBS):
        agent.create(f"{n} 10 * * *", durable=n % 2 == 0)
    refused = agent.call("CronCreate", cron="0 11 * * *", prompt="one too many")
    assert refused.is_error and "50 jobs are scheduled already (the limit)" in refused.content
    agent.call("CronDelete", id=agent.scheduler.jobs()[0].id)
    assert not agent.call("CronCreate", cron="0 11 * * *", prompt="room again").is_error


def test_cron_list_and_cron_delete(tmp_path):
    agent = Agent(tmp_path)
    assert agent.call("CronList").content == "No scheduled jobs."
    daily = agent.create(durable=True)
    every_5 = agent.create("*/5 * * * *", "check the build")
    listing = agent.call("CronList").content.splitlines()
    assert listing[0].startswith(f"{every_5.id} */5 * * * * (Every fifth minute of every hour; recurring, this "
                                 "session) next Mon 2026-01-05 09:0")  # soonest first
    assert listing[1].startswith(f"{daily.id} 0 10 * * * (At 10:00 every day; recurring, durable) next Mon")
    assert agent.call("CronDelete", id=daily.id).content == f"Deleted {daily.id} (0 10 * * *: run the tests)."
    assert stored(tmp_path) == []
    unknown = agent.call("CronDelete", id="deadbeef")
    assert unknown.is_error and unknown.content == f"No job 'deadbeef'; the jobs are: {every_5.id} (CronList shows them)"


# --- firing -----------------------------------------------------------------------------------


def test_a_due_job_posts_its_prompt_to_the_inbox_once_per_fire(tmp_path):
    agent = Agent(tmp_path)
    job = agent.create("7 * * * *")  # hourly at :07, up to 6 minutes late
    due = job.next_due()
    assert agent.tick(due - timedelta(seconds=1)) == [] and agent.taken() == []
    assert agent.tick(due) == [job.id]
    assert agent.taken() == [Posted("run the tests", f"⏰ cron {job.id} (7 * * * *), due {due:%H:%M:%S}")]
    assert agent.tick(due + timedelta(seconds=30)) == []  # fired already
    assert agent.tick(due + timedelta(hours=1)) == [job.id]  # the next hour


def test_a_fire_while_the_last_one_still_waits_for_its_turn_is_not_queued_twice(tmp_path):
    agent = Agent(tmp_path)
    job = agent.create("* * * * *")
    agent.tick(job.next_due())
    agent.tick(job.next_due() + timedelta(minutes=1))  # a long turn is running: nobody took the first
    assert len(agent.inbox.waiting()) == 1


def test_after_a_long_sleep_a_recurring_job_fires_once_not_once_per_missed_time(tmp_path):
    agent = Agent(tmp_path)
    job = agent.create("7 * * * *")
    assert agent.tick(local(2026, 1, 5, 17, 30)) == [job.id]  # the laptop slept from 9 to 17:30
    assert len(agent.taken()) == 1
    assert agent.scheduler.jobs()[0].last_fired == local(2026, 1, 5, 17, 7)


def test_a_one_shot_job_is_removed_after_its_fire(tmp_path):
    agent = Agent(tmp_path)
    job = agent.create("15 10 * * *", recurring=False, durable=True)
    assert agent.tick(local(2026, 1, 5, 10, 15)) == [job.id]
    assert agent.scheduler.jobs() == [] and stored(tmp_path) == []


def test_a_recurring_job_fires_a_last_time_after_seven_days_then_goes(tmp_path):
    agent = Agent(tmp_path)
    job = agent.create(durable=True)
    monday_after = local(2026, 1, 12, 10, 20)  # 7 days and more after 09:00 on the first Monday
    assert agent.tick(monday_after) == [job.id]
    assert agent.taken()[0].prompt == "run the tests"
    assert agent.scheduler.jobs() == []
    assert "that was its last fire, it is removed" in str(agent.inbox.told[-1])


# --- durable jobs, two agents, the lock ----------------------------------------------------------


def test_two_agents_in_one_folder_never_both_fire_a_durable_job(tmp_path):
    first, second = Agent(tmp_path), Agent(tmp_path)
    job = first.create("* * * * *", durable=True)
    assert [j.id for j in second.scheduler.jobs()] == [job.id]  # the other agent sees it
    # both tick at the same moments, from two threads, 30 minutes of fires
    for minute in range(1, 31):
        now = MONDAY_9 + timedelta(minutes=minute, seconds=10)
        fired: list = []
        threads = [threading.Thread(target=lambda a=a, now=now, fired=fired: fired.append(a.tick(now)))
                   for a in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(map(len, fired)) == [0, 1], minute
        first.taken(), second.taken()


def test_durable_jobs_are_in_the_file_and_session_jobs_are_not(tmp_path):
    agent = Agent(tmp_path)
    durable = agent.create(durable=True)
    agent.create("*/5 * * * *", "session only")
    assert [entry["id"] for entry in stored(tmp_path)] == [durable.id]
    entry = stored(tmp_path)[0]
    assert datetime.fromisoformat(entry.pop("created_at")) == MONDAY_9
    assert entry == {"id": durable.id, "cron": "0 10 * * *", "prompt": "run the tests", "recurring": True,
                     "durable": True, "last_fired": None}
    assert (tmp_path / ".harness" / ".gitignore").read_text() == "*\n"


def test_an_unreadable_entry_is_kept_and_a_broken_file_is_never_overwritten(tmp_path):
    agent = Agent(tmp_path)
    agent.create(durable=True)
    path = tmp_path / ".harness" / "scheduled_tasks.json"
    data = json.loads(path.read_text())
    bad_cron = {**data["jobs"][0], "id": "0000abcd", "cron": "0 10 * *"}  # edited by hand
    data["jobs"] += [{"id": "not-hex", "cron": "0 10 * * *"}, bad_cron]
    path.write_text(json.dumps(data))
    agent.create("30 8 * * *", durable=True)
    assert {"id": "not-hex", "cron": "0 10 * * *"} in stored(tmp_path) and bad_cron in stored(tmp_path)
    assert len(stored(tmp_path)) == 4 and len(agent.scheduler.jobs()) == 2
    restarted = Agent(tmp_path)
    restarted.scheduler.start().stop()
    assert [str(told) for told in restarted.inbox.told] == [
        "⏰ 2 entries of .harness/scheduled_tasks.json cannot be read as a job; kept as they are, never fired"]
    path.write_text("{ not json")
    refused = agent.call("CronCreate", cron="0 9 * * *", prompt="x", durable=True)
    assert refused.is_error and "is not a jobs file" in refused.content and "left as it is" in refused.content
    assert path.read_text() == "{ not json"
    assert not agent.call("CronCreate", cron="0 9 * * *", prompt="session jobs still work").is_error


# --- fires missed while no agent ran -------------------------------------------------------------


def test_fires_missed_while_no_agent_ran_are_reported_at_start_not_replayed(tmp_path):
    before = Agent(tmp_path)
    daily = before.create("7 10 * * *", "run the tests", durable=True)
    once = before.create("20 14 * * *", "call Ana", recurring=False, durable=True)
    # no agent runs from Monday 9:00 to Wednesday 11:00
    after = Agent(tmp_path, now=local(2026, 1, 7, 11, 0))
    notes = after.scheduler.start().notes
    after.scheduler.stop()
    assert notes == [
        f"missed 3 fires of {daily.id} 'run the tests' since Mon 2026-01-05 {daily.next_due():%H:%M:%S}; "
        f"next Thu 2026-01-08 {daily.next_due():%H:%M:%S}",
        f"missed the one fire of {once.id} 'call Ana' at Mon 2026-01-05 14:20:00; removed, not run"]
    assert [str(told) for told in after.inbox.told] == [f"⏰ {note}" for note in notes]
    assert after.inbox.waiting() == []  # nothing replayed
    assert [entry["id"] for entry in stored(tmp_path)] == [daily.id]
    assert after.tick(local(2026, 1, 7, 11, 1)) == []  # and not fired now either


def test_an_expired_job_is_removed_at_start_and_a_fire_due_just_now_is_late_not_missed(tmp_path):
    before = Agent(tmp_path)
    old = before.create("0 10 * * *", "weekly report", durable=True)
    fresh = Agent(tmp_path, now=local(2026, 1, 12, 11, 0)).create("0 12 * * *", "lunch", durable=True)
    start = fresh.next_due() + timedelta(seconds=20)  # the fire came due 20 s before this agent started
    after = Agent(tmp_path, now=start)
    notes = after.scheduler.start().notes
    after.scheduler.stop()
    assert notes == [f"{old.id} 'weekly report' expired (7 days old) while no agent ran after missing 8 fires; removed"]
    after.tick(start)  # (or the ticker did, at start)
    assert [posted.prompt for posted in after.taken()] == ["lunch"]


@pytest.mark.parametrize("resumed", [False, True])
def test_the_model_hears_of_missed_fires_at_the_first_prompt(tmp_path, resumed):
    Agent(tmp_path).create("7 10 * * *", durable=True)
    model = ScriptedModel([text("I see.")])
    scheduler = Scheduler(tmp_path, Inbox(), clock=lambda: local(2026, 1, 6, 12, 0))
    agent = Harness(model, AgentConfig(model="m"), tmp_path, extensions=[scheduler])
    scheduler.start()
    earlier = [{"role": "user", "content": [{"type": "text", "text": "before"}]},
               {"role": "assistant", "content": [{"type": "text", "text": "ok"}]}]
    if resumed:  # a session brought back (full's --continue) starts with SessionStart "resume"
        agent.resume(earlier, {})
    agent.run("hello")
    agent.close()
    first = json.dumps(model.calls[0]["messages"][2 if resumed else 0])
    assert "Scheduled jobs, while no agent ran here:" in first and "missed 2 fires of" in first
    assert not scheduler.ticker.is_alive()  # SessionEnd stopped it


# --- the ticker thread --------------------------------------------------------------------------


def test_the_ticker_sleeps_until_the_next_due_time_then_posts(tmp_path):
    """The ticker's waits go through `wait`: this one moves the clock instead of sleeping."""
    now = [MONDAY_9]
    waits: list[float] = []

    def wait(event, seconds):
        if inbox.waiting():
            return event.wait(10)  # posted: nothing more to see; stop() sets the event
        waits.append(seconds)
        now[0] += timedelta(seconds=seconds)
        return False

    inbox = Inbox()
    scheduler = Scheduler(tmp_path, inbox, clock=lambda: now[0], wait=wait)
    registry = ToolRegistry().add(*scheduler.tools())
    registry.call("CronCreate", {"cron": "30 9 * * *", "prompt": "stand-up notes", "recurring": False},
                  ToolContext(tmp_path))
    scheduler.start()
    try:
        posted = inbox.items.get(timeout=10)
    finally:
        scheduler.stop()
    assert posted.prompt == "stand-up notes" and posted.source.startswith("⏰ cron ")
    assert 1800 - 90 <= waits[0] <= 1800  # straight to 9:30 (a one-shot on :30 may be up to 90 s early)
    assert not scheduler.ticker.is_alive()


# --- /loop and /cron ------------------------------------------------------------------------------


def test_loop_schedules_a_session_job_and_runs_the_prompt_once_now(tmp_path):
    agent = Agent(tmp_path)
    console = Console(file=io.StringIO(), width=100)
    harness = Harness(ScriptedModel([]), AgentConfig(model="m"), tmp_path, extensions=[agent.scheduler])
    slash(harness, "/loop 5m check the build", console)
    job = agent.scheduler.jobs()[0]
    assert (job.cron, job.prompt, job.durable) == ("*/5 * * * *", "check the build", False)
    assert agent.taken() == [Posted("check the build", f"⏰ loop {job.id}: the first run, now")]
    slash(harness, "/loop", console)
    slash(harness, "/cron", console)
    out = console.file.getvalue()
    assert "⏰ every 5m (*/5 * * * *), job" in out and "usage: /loop [interval] <prompt>" in out
    assert f"{job.id}  */5 * * * *  Every fifth minute of every hour; recurring, this session" in out
    slash(harness, f"/cron delete {job.id}", console)
    assert agent.scheduler.jobs() == []


# --- a resumed session --------------------------------------------------------------------------


def test_a_resumed_session_gets_its_unexpired_session_jobs_back(tmp_path):
    agent = Agent(tmp_path)
    hourly = agent.create("0 * * * *", "check the build")
    once_later = agent.create("0 18 5 1 *", "call Ana", recurring=False)
    once_missed = agent.create("30 9 5 1 *", "stand-up", recurring=False)
    old = agent.create("0 12 * * *", "lunch")
    agent.create("0 23 * * *", "durable one", durable=True)
    state = json.loads(json.dumps(agent.scheduler.session_state(None)))  # as saved
    assert {job["id"] for job in state["jobs"]} == {hourly.id, once_later.id, once_missed.id, old.id}

    later = Agent(tmp_path, now=local(2026, 1, 5, 11, 20))  # the process ended at 9:00; resumed at 11:20
    assert later.scheduler.session_state(None) is None
    old_state = {"jobs": [*state["jobs"][:3], {**state["jobs"][3], "created_at": "2025-12-01T09:00:00+00:00"}]}
    later.scheduler.restore_session(None, old_state)
    back = {job.id: job for job in later.scheduler.session_jobs.values()}
    assert set(back) == {hourly.id, once_later.id}  # the stand-up passed, lunch is over 7 days old
    assert back[hourly.id].next_cron_time() == local(2026, 1, 5, 12, 0)  # 10:00 and 11:00 not replayed
    assert later.tick(local(2026, 1, 5, 11, 30)) == []
    assert set(later.tick(local(2026, 1, 5, 19, 0))) == {hourly.id, once_later.id}
    assert sorted(posted.prompt for posted in later.taken()) == ["call Ana", "check the build"]
    told = str(later.inbox.told[0])
    assert "this session's jobs are back" in told and hourly.id in told and once_missed.id not in told
