"""The protocols between a lead and its teammates in one process: the chapter's own harness for
each, in-process scripted models, the real gate, mailboxes and request records on disk."""

from __future__ import annotations

import io
import threading

from pydantic import BaseModel
from rich.console import Console

from s01_agent_loop.cli.testing import slash, system_text
from s01_agent_loop.scripted import message, text, tool_use
from s02_tool_use.tools import Tool
from s16_team_protocols import Requests, TeamProtocols
from s16_team_protocols.wiring import CHAPTER

from .conftest import last_user

TEAM = tool_use("TeamCreate", team_name="notes")


def spawn(plan_first: bool = False):
    return tool_use("SpawnTeammate", name="alice", role="writer", prompt="Make notes.txt say final.",
                    **({"plan_mode_required": True} if plan_first else {}))


def reply(request_id: str, approve: bool, **words):
    kind = "plan_approval_response" if request_id.startswith("plan") else "shutdown_response"
    return {"type": kind, "request_id": request_id, "approve": approve, **words}


def test_a_plan_first_teammates_edit_is_denied_until_the_lead_approves_its_plan(team, tmp_path):
    (tmp_path / "notes.txt").write_text("draft\n", encoding="utf-8")
    edit = tool_use("edit_file", path="notes.txt", old_string="draft", new_string="final")
    agent, lead, models, waits = team(
        [TEAM, spawn(plan_first=True), text("alice plans first."),
         tool_use("SendMessage", to="alice", message=reply("plan-1@alice", False, feedback="Say why, too.")),
         text("Sent back."),
         tool_use("SendMessage", to="alice", message=reply("plan-2@alice", True)), text("Approved.")],
        {"alice": [edit, tool_use("ExitPlanMode", plan="Replace draft by final."), text("Waiting."),
                   edit, tool_use("ExitPlanMode", plan="Replace draft by final, and say why."), text("Waiting."),
                   edit, text("Done.")]},
        "--permission-mode", "acceptEdits", after={"alice": {1: 3, 4: 5, 7: 7}})
    agent.run("finalise the notes")
    # 1. in plan mode the gate refuses her edit, whatever her prompt said; her plan goes to the lead
    plan = lead.session.inbox.next(timeout=20)
    waits.until_idle(lead, "alice")
    first, calls = models["alice"].calls[0], models["alice"].calls
    assert "You are in plan mode" in system_text(first) and {"ExitPlanMode", "SendMessage"} <= {
        t["name"] for t in first["tools"]}
    assert "plan mode" in last_user(calls[1]) and (tmp_path / "notes.txt").read_text() == "draft\n"
    assert 'type="plan_approval_request" request_id="plan-1@alice">\nReplace draft by final.' in plan.prompt
    # 2. rejected: the feedback reaches her, she stays in plan mode and is refused again
    agent.run(plan.prompt)
    revised = lead.session.inbox.next(timeout=20)
    waits.until_idle(lead, "alice")
    assert 'approve="false">\nSay why, too.' in last_user(calls[3])
    assert "plan mode" in last_user(calls[4]) and (tmp_path / "notes.txt").read_text() == "draft\n"
    assert "plan-2@alice" in revised.prompt and "and say why" in revised.prompt
    # 3. approved: her harness switches her to the lead's mode as it reads the answer; the edit runs
    agent.run(revised.prompt)
    waits.until_idle(lead, "alice")
    assert "Edited notes.txt" in last_user(calls[7]) and (tmp_path / "notes.txt").read_text() == "final\n"
    assert "You are in plan mode" not in system_text(calls[6])
    assert lead.teammates["alice"].agent.config.permission_mode == "acceptEdits"
    records = {r.id: r for r in Requests(lead.team.folder).all()}
    assert (records["plan-1@alice"].status, records["plan-1@alice"].answer) == ("rejected", "Say why, too.")
    assert (records["plan-2@alice"].status, records["plan-2@alice"].permission_mode) == ("approved", "acceptEdits")
    assert "Rejected plan-1@alice" in last_user(models["lead"].calls[4])
    for model in models.values():
        model.assert_done()


class HoldInput(BaseModel):
    pass


def holding(entered: threading.Event, release: threading.Event):
    """The chapter's build for a teammate, plus a tool `hold` that runs until the test releases it."""

    def hold(args, ctx) -> str:
        entered.set()
        assert release.wait(20)
        return "held to the end"

    def build(session):
        agent = CHAPTER.build(session)
        agent.tools.add(Tool("hold", "Hold.", HoldInput, hold, kind="read", read_only=True))
        return agent

    return build


def test_shutdown_waits_for_the_running_tool_call_and_a_refusals_reason_reaches_the_lead(team):
    entered, release = threading.Event(), threading.Event()

    def ask():
        return tool_use("SendMessage", to="alice", message={"type": "shutdown_request", "reason": "We are done."})

    agent, lead, models, waits = team(
        [TEAM, spawn(), text("ok"), message(ask(), ask()), text("Asked."), text("alice is busy."), ask(),
         text("Asked again."), text("alice stopped.")],
        {"alice": [tool_use("hold"),
                   tool_use("SendMessage", to="lead", message=reply("shutdown-1@alice", False,
                                                                    reason="Mid-task: the report is half written.")),
                   tool_use("SendMessage", to="lead", message=reply("shutdown-1@alice", True)),
                   text("Refused; going on."),
                   tool_use("SendMessage", to="lead", message=reply("shutdown-2@alice", True))]},
        build=holding(entered, release))
    agent.run("start alice")
    assert entered.wait(20)
    agent.run("stop alice")  # while her tool call runs
    assert "shutdown-1@alice still waits for alice's answer" in last_user(models["lead"].calls[4])
    requests = Requests(lead.team.folder)
    assert requests.get("shutdown-1@alice").status == "pending" and len(models["alice"].calls) == 1
    assert lead.team.state("alice")["status"] == "working"
    release.set()
    # 1. her call ended first: its result, then the request, in her next request
    refusal = lead.session.inbox.next(timeout=20)
    blocks = models["alice"].calls[1]["messages"][-1]["content"]
    assert blocks[0]["type"] == "tool_result" and blocks[0]["content"] == "held to the end"
    assert 'type="shutdown_request" request_id="shutdown-1@alice">\nWe are done.' in blocks[1]["text"]
    # 2. her refusal, with its reason, reaches the lead; a second answer to the same request is refused
    assert 'type="shutdown_response" request_id="shutdown-1@alice" approve="false">' in refusal.prompt
    assert "Mid-task: the report is half written." in refusal.prompt
    waits.until_idle(lead, "alice")
    assert "shutdown-1@alice was rejected already" in last_user(models["alice"].calls[3])
    agent.run(refusal.prompt)
    assert lead.team.state("alice")["status"] == "idle"
    # 3. asked again, she approves: her run ends there, and she is stopped
    agent.run("ask her again")
    approval = lead.session.inbox.next(timeout=20)
    assert 'request_id="shutdown-2@alice" approve="true">' in approval.prompt
    assert lead.teammates["alice"].join(20) and lead.team.state("alice")["status"] == "stopped"
    assert [(r.id, r.status, r.answer) for r in requests.all()] == [
        ("shutdown-1@alice", "rejected", "Mid-task: the report is half written."),
        ("shutdown-2@alice", "approved", "")]
    agent.run(approval.prompt)
    for model in models.values():
        model.assert_done()  # nothing after her approval: her loop ended
    console = Console(file=io.StringIO(), width=80, color_system=None)
    slash(agent, "/team", console)
    slash(agent, "/requests", console)
    drawn = console.file.getvalue()
    assert "■ stopped" in drawn and "requests of team notes" in drawn
    assert "shutdown-1@alice  lead  alice  ✗ rejected" in drawn and "Mid-task: the report is" in drawn


def test_an_unanswered_request_expires_the_asker_hears_it_and_a_late_answer_is_refused(team):
    clock, late = Clock(), threading.Event()
    ask = tool_use("SendMessage", to="alice", message={"type": "shutdown_request"})
    agent, lead, models, waits = team(
        [TEAM, spawn(), text("ok"), ask, text("Asked."), text("Noted: no answer.")],
        {"alice": [text("Hello."), tool_use("SendMessage", to="lead", message=reply("shutdown-1@alice", True)),
                   text("Too late, then.")]},
        after={"alice": {2: late}})
    TeamProtocols.of(agent).clock = clock  # before the team exists: its records use this clock
    agent.run("start alice")
    waits.until_idle(lead, "alice")
    agent.run("stop alice")  # she wakes, and her answer waits for `late`
    clock.now += 300
    agent.run("anything?")
    assert "shutdown-1@alice to alice expired at" in last_user(models["lead"].calls[-1])
    late.set()
    waits.until_idle(lead, "alice")
    assert "shutdown-1@alice was expired already" in last_user(models["alice"].calls[2])
    assert lead.team.state("alice")["status"] == "idle"  # an expired request stops nobody
    assert Requests(lead.team.folder).get("shutdown-1@alice").status == "expired"


def test_every_misuse_of_the_protocol_is_refused_with_a_reason(team):
    agent, lead, models, waits = team(
        [TEAM, spawn(), text("ok")],
        {"alice": [message(tool_use("SendMessage", to="lead", message={"type": "shutdown_request"}),
                           tool_use("SendMessage", to="lead", message=reply("shutdown-3@alice", True)),
                           tool_use("SendMessage", to="*", message={"type": "shutdown_response"}),
                           tool_use("SendMessage", to="lead", message='{"type": "shutdown_response", '
                                                                      '"request_id": "shutdown-1@alice"}'),
                           tool_use("SendMessage", to="lead", message=reply("plan-1@alice", False)),
                           tool_use("ExitPlanMode", plan="a plan"),
                           tool_use("SendMessage", to="lead", message='{"not": "a protocol message"}')),
                   text("Understood.")]})
    agent.run("start alice")
    waits.until_idle(lead, "alice")
    results = models["alice"].calls[1]["messages"][-1]["content"]
    said = [(r.get("is_error", False), r["content"]) for r in results]
    assert said[0] == (True, "Only the lead asks a teammate to shut down; if you think someone should stop, tell "
                             "the lead.")
    assert said[1] == (True, "There is no request 'shutdown-3@alice'. None waits for your answer.")
    assert said[2] == (True, 'A shutdown_response goes to one member by name, never to "*".')
    assert said[3][0] and "A shutdown_response needs approve" in said[3][1]  # JSON text is read as the object
    assert said[4] == (True, "Only the lead approves or rejects plans.")
    assert said[5] == (True, "You are not in plan mode: no approval is needed, do the work.")
    assert said[6] == (False, "Sent to lead.")  # JSON that is no protocol message is plain text
    assert Requests(lead.team.folder).all() == []


def test_the_leads_misuses_are_refused_and_leave_the_request_pending(team):
    send = [tool_use("SendMessage", to="carol", message={"type": "shutdown_request"}),
            tool_use("SendMessage", to="lead", message={"type": "shutdown_request"}),
            tool_use("SendMessage", to="lead", message=reply("plan-1@alice", True)),
            tool_use("SendMessage", to="alice", message=reply("plan-1@alice", False)),
            tool_use("SendMessage", to="alice", message={"type": "plan_approval_request"})]
    agent, lead, models, waits = team(
        [TEAM, spawn(plan_first=True), text("ok"), message(*send), text("Oops.")],
        {"alice": [tool_use("ExitPlanMode", plan="The plan."), text("Waiting.")]}, after={"alice": {1: 3}})
    agent.run("start alice")
    agent.run(lead.session.inbox.next(timeout=20).prompt)
    said = [r["content"] for r in models["lead"].calls[-1]["messages"][-1]["content"]]
    assert said == ["Cannot ask 'carol' to shut down: no teammate has that name. Teammates: alice.",
                    "Cannot ask 'lead' to shut down: that is you. Teammates: alice.",
                    "plan-1@alice is alice's plan: send the answer to alice.",
                    "Refusing needs feedback (what the plan must change): it is all the other side learns.",
                    "A plan_approval_request is sent by ExitPlanMode{plan}, from plan mode."]
    assert Requests(lead.team.folder).get("plan-1@alice").status == "pending"
    waits.until_idle(lead, "alice")
    assert lead.teammates["alice"].agent.config.permission_mode == "plan"


class Clock:
    def __init__(self, now: float = 2_000_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now
