"""`Autonomy`: s17's capability, one `Extension` on every member of a team.

s15's teammate works on what it is told and then waits for mail. An autonomous one finds its own
work. Its life is working -> idle -> stopped, and between two runs s15's loop asks this extension
(an idle handler) what to do next, after the mail:

    a run ended   the project's TeammateIdle hooks judge it; a block sends it back to work
    a ready task  claimed on the board for it (claims.py); its subject and description the prompt
    nothing       it waits (mail wakes it, and the board is looked at again every poll); after
                  `idle_timeout` seconds of that it stops, and tells the lead

    the lead's      a teammate process that died (kill -9) without stopping: its unfinished tasks go
                    back on the board (`release`), for the next idle teammate
    pre_tool_use    TaskCompleted: a TaskUpdate that completes a task passes the hooks first (gates.py)
    on_event        PreCompact: the identity and the task in hand are told again after the summary
    before_request  that reminder, once
    system_prompt   "autonomy": how work reaches a teammate; for the lead, how to hand work out
"""

from __future__ import annotations

import time

from rich.text import Text

from s02_tool_use.extension import Extension, Section, Verdict
from s02_tool_use.tools import ToolCall
from s12_task_system.board import TaskBoard
from s12_task_system.tasks import Task
from s15_agent_teams.member import TeamMember, TeamStopped
from s15_agent_teams.team import LEAD

from .claims import claim_next, release
from .gates import task_completed, teammate_idle

IDLE_TIMEOUT = 300.0
"""Seconds a teammate may be idle (no mail, no ready task) before it stops; 0: never."""

TASK = """Task #{id} is yours: the harness claimed it for you on the board (owner {name}, in_progress).
Subject: {subject}
{description}
Do it, mark it completed with TaskUpdate, then end your turn: the next ready task comes to you."""

IDENTITY = """<system-reminder>
The conversation was compacted. You are {name}, a teammate in the team "{team}" (your role: {role});
the lead is "lead". {work}
</system-reminder>"""

TEAMMATE_SECTION = """# Working on your own
Your work finds you. When you end your turn the harness looks for your next work: a message
first; else the next ready task on the board (pending, no owner, waiting for nothing), which it
claims for you (you are its owner, it is in_progress) and gives you as your next prompt. Do that
task, mark it completed with TaskUpdate, and end your turn. The project's hooks may check your
work when you complete a task or end your turn: if one sends you back, do what it says.{stop}"""

LEAD_SECTION = """# Autonomous teammates
Your teammates find their own work: whenever one is idle, the harness claims the next ready task
on the board for it (pending, no owner, waiting for nothing), and two never get the same task.
So put the work on the board as tasks with complete descriptions (a teammate reads only its
task), leave their owner empty, add the edges between them, and spawn teammates with a general
prompt.{stop}"""


class Autonomy(Extension):
    def __init__(self, member: TeamMember, board: TaskBoard, idle_timeout: float = IDLE_TIMEOUT,
                 clock=time.monotonic):
        self.member = member  # s15's: the TeamLead, or a teammate's TeamMember
        self.board = board  # s12's, the folder's: the team's one board
        self.idle_timeout = idle_timeout
        self.clock = clock  # seconds, for the idle timeout only (tests give their own)
        self.ran = False  # a run started since the last look: TeammateIdle is due
        self.sent_back = 0  # TeammateIdle blocks in a row
        self.idle_since: float | None = None  # when this teammate found nothing to do
        self.compacted = False
        if member.name != LEAD:
            member.idle_handlers.append(self.next_work)
        else:  # a teammate process killed mid-task (kill -9) would hold its task for ever
            member.gone_handlers.append(self.free_tasks_of)

    # between two runs ----------------------------------------------------------------------------

    def next_work(self, agent) -> str | None:
        """s15's idle handler: the next prompt for this teammate, or None to wait (it has no mail)."""
        # 1. a run just ended: the TeammateIdle hooks may send it back, their words its prompt
        if self.ran:
            self.ran = False
            feedback = teammate_idle(agent, self.member, self.sent_back)
            self.sent_back = self.sent_back + 1 if feedback else 0
            if feedback:
                return feedback
        # 2. a ready task, claimed on the board under its lock: two teammates never get the same
        if task := claim_next(self.board, self.member.name):
            agent.view.notice(Text(f"▶ claimed #{task.id} {task.subject}", style="bold cyan"))
            return TASK.format(id=task.id, name=self.member.name, subject=task.subject,
                               description=task.description or "(no description)")
        # 3. nothing to do: idle from now on, and stopped once that has lasted `idle_timeout`
        now = self.clock()
        self.idle_since = now if self.idle_since is None else self.idle_since
        if self.idle_timeout and now - self.idle_since >= self.idle_timeout:
            self.give_up(agent)
        return None

    def give_up(self, agent) -> None:
        """The idle timeout: a line for the user, a letter for the lead, and the loop ends (stopped)."""
        said = f"idle for {seconds(self.idle_timeout)} with no mail and no ready task"
        agent.view.notice(Text(f"■ stopped: {said}", style="bold"))
        self.member.team.mailbox(LEAD).send(self.member.name, f"[from the harness: I stopped, {said}. "
                                            "SpawnTeammate starts me again if new work comes.]")
        raise TeamStopped(said)

    def free_tasks_of(self, name: str) -> str | None:
        """s15's gone handler, the lead's: a dead teammate's unfinished tasks go back on the board."""
        freed = release(self.board, name)
        if not freed:
            return None
        return "back on the board for the others: " + ", ".join(f"#{task.id} {task.subject}" for task in freed)

    # the points ----------------------------------------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> None:
        if event == "UserPromptSubmit":  # every run starts here: mail, a task, a hook's feedback
            self.ran, self.idle_since = True, None
        elif event == "PreCompact":
            self.compacted = True

    def before_request(self, agent) -> None:
        """After a compaction, once: who this teammate is and what it works on, after the tool_results."""
        if self.compacted and self.member.name != LEAD and self.member.team is not None:
            self.compacted = False
            agent.add_user([{"type": "text", "text": self.identity()}])

    def identity(self) -> str:
        mine = sorted((t for t in self.board.tasks().values()
                       if t.owner == self.member.name and t.status == "in_progress"), key=lambda t: t.number)
        work = ("You own no task in progress: end your turn, and the next ready task comes to you."
                if not mine else "Your task in progress:\n" + "\n".join(map(describe, mine)))
        return IDENTITY.format(name=self.member.name, team=self.member.team.name,
                               role=self.member.role or "teammate", work=work)

    def pre_tool_use(self, agent, call: ToolCall) -> Verdict | None:
        return task_completed(agent, self.member, self.board, call)

    def system_prompt(self, agent) -> Section | None:
        if self.member.team is None:
            return None
        after = seconds(self.idle_timeout)
        if self.member.name == LEAD:
            stop = f" A teammate with nothing to do for {after} stops and tells you." if self.idle_timeout else ""
            return Section("autonomy", LEAD_SECTION.format(stop=stop), dynamic=True)
        stop = f"\nWith nothing to do for {after} you stop." if self.idle_timeout else ""
        return Section("autonomy", TEAMMATE_SECTION.format(stop=stop))


# ---------------------------------------------------------------------------------------------


def describe(task: Task) -> str:
    return f"#{task.id} {task.subject}" + (f": {task.description}" if task.description else "")


def seconds(value: float) -> str:
    """`1.5 s`, `5 min`: how long, for a person."""
    return f"{value / 60:g} min" if value >= 120 and value % 60 == 0 else f"{value:g} s"
