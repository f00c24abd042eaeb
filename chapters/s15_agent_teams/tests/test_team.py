"""A lead and its teammates in one process: the chapter's own harness for each, in-process
scripted models, the real tools, the real board and mailboxes on disk."""

from __future__ import annotations

import io
import json
import threading

from rich.console import Console

from s01_agent_loop.cli.inbox import Posted
from s01_agent_loop.cli.testing import slash, system_text
from s01_agent_loop.scripted import message, text, tool_use
from s07_permission_system.ask import ConsoleAsk
from s07_permission_system.permissions import Permissions
from s12_task_system import TaskBoard
from s15_agent_teams.teammate import wait_for

from .conftest import settings

SPAWN = [tool_use("TeamCreate", team_name="median", description="fix the median"),
         tool_use("SpawnTeammate", name="alice", role="fixer", prompt="Fix task #1, then tell the lead.")]


def results(request: dict) -> str:
    blocks = request["messages"][-1]["content"]
    return "\n".join(str(b.get("content", b.get("text", ""))) for b in blocks)


def test_a_teammate_takes_a_task_and_its_report_reaches_the_idle_lead(team, tmp_path):
    TaskBoard(tmp_path).create("Fix the even case")
    agent, lead, models, waits = team(
        [*SPAWN, text("alice is on it.")],
        {"alice": [message(tool_use("TaskUpdate", taskId="1", owner="alice", status="in_progress"),
                           tool_use("SendMessage", to="lead", message="Task #1 is done.")),
                   tool_use("TaskUpdate", taskId="1", status="completed"), text("Done.")]}, gate=3)
    agent.run("split the work")
    posted = agent_inbox_next(lead)
    assert isinstance(posted, Posted) and posted.source == "✉ mail from alice"
    assert '<teammate-message from="alice"' in posted.prompt and "Task #1 is done." in posted.prompt
    waits.until_idle(lead, "alice")
    # the teammate is the same harness, with its own context, section and client
    first = models["alice"].calls[0]
    assert "You are alice, a teammate in the team \"median\"" in system_text(first)
    assert "Your role: fixer" in system_text(first) and "Fix task #1" in results(first)
    assert {"TaskUpdate", "SendMessage", "bash"} <= {t["name"] for t in first["tools"]}
    assert not {"TeamCreate", "SpawnTeammate"} & {t["name"] for t in first["tools"]}
    assert first["metadata"] == {"user_id": "alice"} and "metadata" not in models["lead"].calls[0]
    assert TaskBoard(tmp_path).get("1").status == "completed"
    console = Console(file=io.StringIO(), width=80, color_system=None)
    slash(agent, "/team", console)
    drawn = console.file.getvalue()
    assert "team median: fix the median" in drawn
    assert "alice" in drawn and "fixer" in drawn and "idle" in drawn
    for model in models.values():
        model.assert_done()
    agent.close()
    assert lead.team.state("alice")["status"] == "stopped"
    assert any("stopped 1 teammate at exit: alice" in str(item) for item in lead.session.inbox.told)


def agent_inbox_next(lead, timeout: float = 20):
    return lead.session.inbox.next(timeout=timeout)


def test_at_work_names_the_teammates_running_a_turn_now(team):
    agent, lead, models, waits = team([*SPAWN, text("alice is on it.")], {"alice": [text("Done.")]})
    asked, release, query = threading.Event(), threading.Event(), models["alice"].query

    def held(request, *args, **kwargs):  # alice's model answers only when the test says so
        asked.set()
        assert release.wait(20)
        return query(request, *args, **kwargs)

    models["alice"].query = held
    assert lead.at_work() == []  # no team yet
    agent.run("split the work")
    assert asked.wait(20)
    assert lead.at_work() == ["alice"]
    release.set()
    waits.until_idle(lead, "alice")
    assert lead.at_work() == []


def test_mail_joins_a_running_teammate_after_its_tool_results_and_an_idle_one_wakes(team):
    agent, lead, models, waits = team(
        [*SPAWN, text("ok")],
        {"alice": [tool_use("bash", command="echo working"), text("First job done."),
                   text("Second job done.")]})
    calls = models["alice"].calls
    original = models["alice"].query

    def query(request, on_text=None):  # bob writes while alice's first command runs
        reply = original(request, on_text)
        if len(calls) == 1:
            lead.team.mailbox("alice").send("bob", "while you work")
        return reply

    models["alice"].query = query
    agent.run("go")
    waits.until_idle(lead, "alice")
    second = calls[1]["messages"][-1]["content"]
    assert second[0]["type"] == "tool_result" and "working" in second[0]["content"]  # the pair stays whole
    assert '<teammate-message from="bob"' in second[1]["text"] and "while you work" in second[1]["text"]
    lead.team.mailbox("alice").send("lead", "one more thing")  # alice idles: this wakes her
    waits.until_idle(lead, "alice")
    assert "one more thing" in results(calls[2]) and len(calls) == 3


def test_send_message_from_is_the_harness_name_and_unknown_names_are_listed(team):
    agent, lead, models, waits = team(
        [*SPAWN, tool_use("SendMessage", to="carol", message="hi"), tool_use("SendMessage", to="*", message="all"),
         tool_use("SendMessage", to="alice", message="x", **{"from": "bob"}), text("ok")],
        {"alice": [text("hello"), text("got it")]})
    agent.run("go")
    said = [results(call) for call in models["lead"].calls[3:]]
    assert "Cannot send to 'carol': no member has that name. The members: alice" in said[0]
    assert "Sent to alice." in said[1]
    assert "from" in said[2] and "Extra inputs are not permitted" in said[2]
    log = [json.loads(line) for line in lead.team.mailbox("alice").log.read_text().splitlines()]
    assert [(letter["from"], letter["text"]) for letter in log] == [("lead", "Fix task #1, then tell the lead."),
                                                                  ("lead", "all")]


def test_a_deny_rule_stops_a_teammates_bash_and_the_command_never_runs(team, tmp_path):
    settings(tmp_path, {"deny": ["Bash(touch:*)"]})
    agent, lead, models, waits = team(
        [*SPAWN, text("ok")], {"alice": [tool_use("bash", command="touch pwned"), text("It was refused.")]})
    agent.run("go")
    waits.until_idle(lead, "alice")
    assert not (tmp_path / "pwned").exists()
    assert "denied" in results(models["alice"].calls[1]) and "Bash(touch:*)" in results(models["alice"].calls[1])


def test_a_pre_tool_use_hook_blocks_a_teammates_bash_as_it_would_the_leads(team, tmp_path):
    block = {"type": "command", "command": "echo not in this repo >&2; exit 2"}
    settings(tmp_path, hooks={"PreToolUse": [{"matcher": "bash", "hooks": [block]}]})
    agent, lead, models, waits = team(
        [*SPAWN, text("ok")], {"alice": [tool_use("bash", command="touch hooked"), text("Blocked.")]})
    agent.run("go")
    waits.until_idle(lead, "alice")
    assert not (tmp_path / "hooked").exists()
    assert "not in this repo" in results(models["alice"].calls[1])


def test_a_teammates_ask_is_denied_with_a_reason_when_the_lead_has_no_terminal(team, tmp_path):
    agent, lead, models, waits = team(
        [*SPAWN, text("ok")], {"alice": [tool_use("bash", command="touch asked"), text("Refused.")]},
        "--permission-mode", "default")
    agent.run("go")
    waits.until_idle(lead, "alice")
    assert not (tmp_path / "asked").exists()
    assert "no terminal to ask" in results(models["alice"].calls[1])


def test_a_teammates_ask_goes_to_the_leads_terminal(team, tmp_path):
    console = Console(file=io.StringIO(), width=80, color_system=None)
    agent, lead, models, waits = team(
        [*SPAWN, text("ok")], {"alice": [tool_use("bash", command="touch approved"), text("Done.")]},
        "--permission-mode", "default", interactive=True)
    Permissions.of(agent).asker = ConsoleAsk(console, stream=io.StringIO("1\n"))  # the user types 1: yes
    agent.run("go")
    posted = agent_inbox_next(lead)
    assert posted.prompt == "/approve 1" and posted.source == "✋ alice asks to use bash"
    slash(agent, posted.prompt, console)  # what the REPL does with it, in its own thread
    waits.until_idle(lead, "alice")
    assert (tmp_path / "approved").exists()
    assert "teammate alice asks:" in console.file.getvalue() and "touch approved" in console.file.getvalue()


def test_under_q_the_leads_answer_waits_for_the_team(team):
    agent, lead, models, waits = team(
        [*SPAWN, text("alice is on it."), text("alice says: the fix is in.")],
        {"alice": [tool_use("SendMessage", to="lead", message="The fix is in."), text("Reported.")]},
        "-q", "fix it with a team", "--permission-mode", "bypassPermissions", gate=3)
    lead.wait = wait_for  # polls: a -q lead looks at its team until the team is quiet
    assert agent.run("fix it with a team") == "alice says: the fix is in."
    last = results(models["lead"].calls[-1])
    assert "Messages from your teammates arrived" in last and "The fix is in." in last
    assert lead.watcher is None  # no REPL to post to


def test_mail_to_a_busy_lead_joins_its_turn_and_is_not_posted_again(team):
    agent, lead, models, waits = team(
        [tool_use("TeamCreate", team_name="median"), tool_use("bash", command="echo checking"), text("Noted.")], {})
    calls, original = models["lead"].calls, models["lead"].query

    def query(request, on_text=None):  # a teammate writes while the lead's command runs
        reply = original(request, on_text)
        if len(calls) == 2:
            lead.team.mailbox("lead").send("alice", "I found the bug.")
        return reply

    models["lead"].query = query
    assert agent.run("go") == "Noted."
    last = calls[2]["messages"][-1]["content"]
    assert last[0]["type"] == "tool_result" and "I found the bug." in last[1]["text"]
    assert lead.session.inbox.next(timeout=0) is None and not lead.mailbox.unread()


def test_letter_handlers_see_each_letter_first_and_a_failing_one_loses_nothing(tmp_path):
    from s01_agent_loop.cli.testing import RecordingView
    from s15_agent_teams import Team, TeamMember

    team = Team.create(tmp_path, "t")
    member = TeamMember("alice", team)
    agent = type("Agent", (), {"view": RecordingView()})()
    seen = []
    member.letter_handlers += [lambda agent, letter: seen.append(letter.text) or (None if letter.data else letter),
                               lambda agent, letter: 1 / 0]
    team.mailbox("alice").send("lead", "a protocol letter", {"type": "x"})
    team.mailbox("alice").send("lead", "plain")
    assert [letter.text for letter in member.receive(agent)] == ["plain"]  # the first handler kept one back
    assert seen == ["a protocol letter", "plain"] and "ZeroDivisionError" in agent.view.texts[0]
