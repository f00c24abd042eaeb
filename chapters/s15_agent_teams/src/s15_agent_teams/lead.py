"""`TeamLead`: s15's capability on the user's side, as one `Extension`: the `TeamMember` named "lead".

    tools     TeamCreate{team_name, description?}, SpawnTeammate{name, role, prompt}, SendMessage
    commands  /team (who is working, idle or stopped, on which task, tokens used), /approve N
    watcher   a thread on the lead's mailbox: mail that arrives while no turn runs is posted to the
              REPL's inbox (s01 cli/inbox.py) and runs as a turn; during a turn `before_request`
              delivers it before the next request, as for every member
    on_event  SessionEnd: every teammate stops (threads joined, processes ended): none is left

A teammate is the chapter's own harness: `build` is the chapter's build, given a Session of its own
(teammate.py), so it has the same tools, permission rules and hooks as the lead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial

from pydantic import BaseModel, ConfigDict, Field
from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Outcome
from s02_tool_use.tools import Tool, ToolContext, ToolError
from s07_permission_system.permissions import Permissions
from s12_task_system.board import TaskBoard

from .asks import AskRelay
from .display import team_table
from .mailbox import POLL
from .member import TeamMember, as_prompt
from .team import LEAD, Member, Team, check_name
from .teammate import STOP_WAIT, Teammate, clone_model, start_process, teammate_session, wait_for

MAX_TEAMMATES = 8
GO_ON = ("<system-reminder>Messages from your teammates arrived as you finished; they follow. Go on with "
         "them: the user sees your answer only when the team is done.</system-reminder>")
LATE = 5.0
"""Seconds mail may wait for a turn to deliver it; then the watcher posts it anyway (a turn that
Ctrl-C or an error ended emits no Stop event, so the lead may look busy when it is not)."""


class TeamCreateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    team_name: str = Field(description="The team's name: lowercase letters, digits, - or _ (e.g. `median-fix`).")
    description: str = Field("", description="What the team is for, in one line.")


class SpawnTeammateInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="The teammate's name, used to message it: lowercase, e.g. `alice`, `tester`.")
    role: str = Field(min_length=1, description="What it is for, in a few words: `tester`, `fixes the parser`.")
    prompt: str = Field(min_length=1, description="Its first task, complete: it sees nothing of your "
                        "conversation. Say which board task is its own and whom to message when done.")


class TeamLead(TeamMember):
    def __init__(self, session, build, runs_as: str = "thread", models=None, wait=wait_for,
                 clock=time.monotonic):
        super().__init__(LEAD)
        self.session = session  # the lead's: its work dir, inbox, view and options
        self.build = build  # the chapter's build: a teammate is the same harness as the lead
        self.runs_as = runs_as  # "thread" or "process"
        self.models = models or partial(clone_model, session.model)  # name -> the teammate's own model
        self.wait = wait
        self.clock = clock
        self.teammates: dict[str, Teammate] = {}  # name -> its handle (a Teammate or a ProcessTeammate)
        self.process_args: list[str] = []
        """Options a teammate process gets besides s15's own (a later chapter's: s17's `--idle-timeout`)."""
        self.gone: set[str] = set()  # teammates whose process ended without stopping, told once
        self.gone_handlers: list[Callable[[str], str | None]] = []
        """Called with a teammate's name when its process ended without stopping (kill -9, a crash);
        each may act (s17 frees its tasks) and return a line for the user."""
        self.busy = False  # a turn of the lead is running
        self.watcher: threading.Thread | None = None
        self.relay: AskRelay | None = None
        self.agent = None  # the lead's agent, once it made its team (the watcher hands it to letter handlers)
        self.one_task = bool(getattr(session.args, "query", None))  # -q: no REPL, so no watcher (await_team)

    def tools(self) -> list[Tool]:
        return [
            Tool("TeamCreate", "Create a team that you lead, to split a large job among teammates working in "
                 "parallel, each with its own context. Then SpawnTeammate adds teammates; SendMessage talks to "
                 "them; the task board (TaskCreate, TaskUpdate) is shared.", TeamCreateInput, self.team_create,
                 kind="internal", tip="For a job that splits into independent parts, TeamCreate a team."),
            Tool("SpawnTeammate", "Start a named teammate in your team: an agent like you, with its own context, "
                 "working in parallel on the prompt you give it. It returns at once; the teammate reports with "
                 "SendMessage, and its messages reach you on their own: do not wait or poll for them.",
                 SpawnTeammateInput, self.spawn_teammate, kind="internal"),
            *super().tools(),
        ]

    def commands(self) -> dict[str, SlashCommand]:
        return {"team": SlashCommand("the team: who is working, idle or stopped, on which task, tokens used",
                                     self.show_team),
                "approve": SlashCommand("answer a teammate's waiting permission question (it is posted for you)",
                                        lambda agent, argument, console: self.relay and self.relay.answer(
                                            agent, argument, console))}

    # the tools ---------------------------------------------------------------------------------

    def team_create(self, args: TeamCreateInput, ctx: ToolContext) -> str:
        if self.team is not None:
            raise ToolError(f"You lead the team {self.team.name!r} already (one team per session).")
        self.team = Team.create(ctx.workdir, args.team_name, args.description)
        self.agent = ctx.agent
        if not self.one_task:
            self.watcher = threading.Thread(target=self.watch, name="team-mail", daemon=True)
            self.watcher.start()
        return (f"Team {self.team.name!r} created (.harness/teams/{self.team.name}); you are its lead, \"lead\". "
                "Add teammates with SpawnTeammate.")

    def spawn_teammate(self, args: SpawnTeammateInput, ctx: ToolContext, mode: str | None = None) -> str:
        """SpawnTeammate; `mode`: the permission mode it starts in, else the lead's (s16: "plan")."""
        if self.team is None:
            raise ToolError("There is no team yet: create one with TeamCreate first.")
        name = check_name(args.name, "The teammate name")
        if name == LEAD or (name in self.teammates and self.team.state(name).get("status") != "stopped"):
            raise ToolError(f"{name!r} is taken: {'that is you' if name == LEAD else 'that teammate is running'}.")
        if len(self.teammates) >= MAX_TEAMMATES:
            raise ToolError(f"The team has {MAX_TEAMMATES} teammates already (the limit).")
        # 1. the member in the team's config, its first prompt in its mailbox, from the lead
        self.team.add(Member(name, args.role, self.runs_as))
        self.team.write_state(name, {"role": args.role, "status": "idle", "tokens": 0})
        self.team.mailbox(name).send(LEAD, args.prompt)
        # 2. its own harness and loop: a thread here, or a process of its own
        if self.runs_as == "process":
            try:
                self.teammates[name] = start_process(ctx.agent, self.session, name, self.team, mode,
                                                     self.process_args)
            except (ValueError, OSError) as error:
                self.team.write_state(name, {"role": args.role, "status": "stopped", "tokens": 0})
                raise ToolError(f"Could not start {name} as a process: {error}") from None
        else:
            self.teammates[name] = self.start_thread(ctx.agent, name, mode)
        return (f"{name} ({args.role}) is working, in a {self.runs_as}; your prompt is its first message. It "
                "reports with SendMessage: its messages reach you on their own, so end your turn when you "
                "have nothing else to do.")

    def start_thread(self, lead, name: str, mode: str | None = None) -> Teammate:
        session = teammate_session(self.session, lead, name, self.team.name, self.models(name), mode)
        agent = self.build(session)
        gate = Permissions.of(agent)
        asker = Permissions.of(lead).asker if Permissions.of(lead) else None
        if gate is not None and asker is not None:  # an interactive lead: its asks go to the lead's terminal
            self.relay = self.relay or AskRelay(self.session.inbox, asker)
            gate.asker = self.relay.asker_for(name, TeamMember.of(agent).stopping)
        return Teammate(agent, wait=self.wait, tell=self.session.inbox.tell).start()

    def at_work(self) -> list[str]:
        """The teammates working now (neither idle nor stopped), for a status line: a thread's status
        from memory, a process's from its state file (one small read each)."""
        if self.team is None:
            return []
        return [name for name, handle in self.teammates.items()
                if (handle.member.status if isinstance(handle, Teammate) else
                    self.team.state(name).get("status")) == "working"]

    # mail while the REPL waits -------------------------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> Outcome | None:
        if event == "UserPromptSubmit":
            self.busy = True
        elif event == "Stop" and self.team is not None:
            self.busy = False
            if self.one_task and self.await_team():
                return Outcome(block=GO_ON)  # the mail itself joins at the next request (before_request)
            self.mailbox.bell.set()  # the watcher looks now: mail that came in the last request
        elif event == "SessionEnd":
            self.close()
        return None

    def await_team(self) -> bool:
        """Under -q there is no REPL to come back to: the lead's last answer waits until mail comes
        (True) or the team is quiet (False): every teammate idle or stopped with no mail unread.
        subtle: quiet twice in a row, a poll apart, so a teammate between taking its mail and
        saying it works is not missed."""
        quiet = 0
        while not self.stopping.is_set() and quiet < 2:
            self.reap()
            self.mailbox.bell.clear()
            if self.mailbox.unread():
                return True
            quiet = quiet + 1 if all(self.team.state(name).get("status") != "working" and
                                     not self.team.mailbox(name).unread() for name in self.teammates) else 0
            self.wait(self.mailbox.bell, POLL)
        return False

    def watch(self) -> None:
        """The watcher: post the lead's mail to the REPL's inbox when no turn runs (see `LATE`)."""
        mailbox, since = self.mailbox, None
        while not self.stopping.is_set():
            self.reap()
            mailbox.bell.clear()
            if mailbox.unread():
                since = since or self.clock()
                if not self.busy or self.clock() - since >= LATE:
                    if letters := self.receive(self.agent):
                        senders = ", ".join(dict.fromkeys(letter.sender for letter in letters))
                        self.session.inbox.post(as_prompt(letters), f"✉ mail from {senders}")
                    since = None
            else:
                since = None
            self.wait(mailbox.bell, POLL)

    def reap(self) -> None:
        """A teammate process that ended without stopping (kill -9, a crash: an exit code other
        than 0) is marked stopped, once, and the `gone_handlers` hear of it. (`Team.state` already
        reads a dead process as stopped; what it held, only a later chapter knows to give back.)"""
        if self.stopping.is_set():  # the lead is stopping them itself
            return
        for teammate in list(self.teammates.values()):
            process = getattr(teammate, "process", None)  # threads end through their own loop
            if process is None or process.poll() in (None, 0) or teammate.name in self.gone:
                continue
            self.gone.add(teammate.name)
            self.team.write_state(teammate.name, {**self.team.state(teammate.name), "status": "stopped"})
            lines = [f"{teammate.name}'s process ended (exit {process.returncode}) without stopping: marked stopped"]
            lines += [line for handle in self.gone_handlers if (line := handle(teammate.name))]
            self.session.inbox.tell(Text("; ".join(lines), style="yellow"))

    # the end -------------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop every teammate (all asked first, then each waited for) and the watcher."""
        self.stopping.set()
        if self.team is not None:
            self.mailbox.bell.set()
        running = [t for t in self.teammates.values() if self.team.state(t.name).get("status") != "stopped"]
        for teammate in self.teammates.values():
            teammate.stop()
        late = [teammate.name for teammate in self.teammates.values() if not teammate.join(STOP_WAIT)]
        if self.watcher is not None:
            self.watcher.join(STOP_WAIT)
        if running:
            names = ", ".join(t.name for t in running)
            self.session.inbox.tell(Text(f"stopped {len(running)} teammate{'s' * (len(running) != 1)} at exit: "
                                         f"{names}" + (f" ({', '.join(late)} killed)" if late else ""), style="dim"))

    def show_team(self, agent, argument: str, console) -> None:
        if self.team is None:
            console.print("[dim]no team yet: ask for one (the model creates it with TeamCreate)[/]")
            return
        console.print(team_table(self.team, TaskBoard(self.session.workdir).tasks(), self.tokens))
