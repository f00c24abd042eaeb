"""A teammate: the chapter's own harness, built for it, running its own loop beside the lead's.

`teammate_session` is what the chapter's `build` gets for it: its own model client, context, turn
cap and view; the lead's work dir, permission mode, rules and hooks. It is the same harness, so
every tool call of a teammate passes the same gate as the lead's. The loop (`Teammate.loop`):

    wait for mail -> run with the letters as the prompt -> idle -> wait for mail -> ...  until stopped

(A later chapter gives an idle teammate other work besides mail: `TeamMember.idle_handlers`.)

It runs in a thread of the lead's process (`Teammate.start`), or as the main loop of a process of
its own (`python -m s15_agent_teams.teammate CHAPTER --teammate NAME --team T`, `teammate_main`, started by
`start_process`): the mailbox and the task board are files, so nothing else changes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
from pathlib import Path

from rich.text import Text

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli import Session
from s01_agent_loop.cli.inbox import Inbox
from s01_agent_loop.cli.repl import describe_api_error, is_api_error
from s01_agent_loop.errors import AgentStop
from s01_agent_loop.processes import finished, kill_tree, start

from .display import view_for
from .mailbox import POLL
from .member import TeamMember, TeamStopped, announce, as_prompt
from .team import LEAD

DEFAULT_MAX_TURNS = 50
"""The most model calls of one teammate run (one batch of mail) unless `--max-turns` says otherwise."""
STOP_WAIT = 10.0
"""Seconds a stopping teammate gets to finish its model call or command before it is left (a
thread) or killed (a process)."""


def wait_for(event: threading.Event, seconds: float) -> bool:
    return event.wait(seconds)


class Teammate:
    def __init__(self, agent, wait=wait_for, poll: float = POLL, tell=None):
        self.agent = agent
        self.member = TeamMember.of(agent)
        self.name = self.member.name
        self.wait = wait  # wait(event, seconds): until the mailbox's bell rings, or `seconds` pass
        self.poll = poll  # for mail from other processes, which rings no bell here
        self.tell = tell or (lambda item: None)  # a line for the user (the lead's inbox)
        self.thread: threading.Thread | None = None

    def start(self) -> Teammate:
        self.thread = threading.Thread(target=self.work, name=f"teammate-{self.name}", daemon=True)
        self.thread.start()
        return self

    def work(self) -> None:
        """The loop, then the end of this teammate's session: what it started stops (SessionEnd)."""
        try:
            self.loop()
        except Exception as error:  # a bug: this teammate stops, visibly; the others go on
            self.tell(Text(f"{self.name} stopped: {type(error).__name__}: {error}", style="red"))
        finally:
            self.member.set_status("stopped")
            self.agent.close()

    def loop(self) -> None:
        while (prompt := self.next_prompt()) is not None:
            self.member.set_status("working")
            try:
                self.agent.run(prompt)
            except TeamStopped:
                return
            except Exception as error:
                if not isinstance(error, AgentStop) and not is_api_error(error):
                    raise
                why = str(error) if isinstance(error, AgentStop) else describe_api_error(error)
                self.tell(Text(f"{self.name}: its turn ended early: {why}", style="yellow"))
                if self.member.team is not None:  # the lead hears it, as it would from the teammate
                    self.member.team.mailbox(LEAD).send(
                        self.name, f"[from the harness: my turn ended early: {why}. I am idle; a message wakes me.]")

    def next_prompt(self) -> str | None:
        """The next prompt: the letters that arrived; else what an idle handler finds (s17: a task);
        else wait, idle, and look again. None once the team stops or a handler stops this teammate."""
        mailbox = self.member.mailbox
        while not self.member.stopping.is_set():
            mailbox.bell.clear()  # subtle: before the look, so a letter sent after it rings the bell
            if letters := self.member.receive(self.agent):
                announce(self.agent.view, letters)
                return as_prompt(letters)
            try:
                for handler in self.member.idle_handlers:
                    if prompt := handler(self.agent):
                        return prompt
            except TeamStopped:
                return None
            if self.member.status != "idle":  # subtle: only now, as it waits: a handler's work is work
                self.member.set_status("idle")
            self.wait(mailbox.bell, self.poll)
        return None

    def stop(self) -> None:
        self.member.stopping.set()
        if self.member.mailbox:
            self.member.mailbox.bell.set()

    def join(self, timeout: float = STOP_WAIT) -> bool:
        """Wait for the thread to end; whether it did."""
        if self.thread is not None:
            self.thread.join(timeout)
        return self.thread is None or not self.thread.is_alive()


def teammate_session(session: Session, lead, name: str, team: str, model, mode: str | None = None) -> Session:
    """The Session the chapter's `build` gets for teammate `name` of the lead `lead`; it starts in
    permission mode `mode`, else in the lead's."""
    args = argparse.Namespace(**vars(session.args))
    args.teammate, args.team = name, team
    args.permission_mode = mode or lead.config.permission_mode  # the lead's, as it is now
    args.query = f"(teammate {name})"  # subtle: runs come from its mailbox, as -q's one prompt: no cron ticker (s14)
    config = AgentConfig(model=lead.config.model, max_tokens=lead.config.max_tokens,
                         max_turns=session.args.max_turns or DEFAULT_MAX_TURNS)
    view = view_for(session.view, name)
    return Session(model, config, session.workdir, view, args, interactive=False,
                   inbox=Inbox(getattr(view, "console", None)))


def clone_model(model, name: str):
    """A model client of its own for teammate `name`, on the same settings: a new `AnthropicModel`
    (a `--trace` gets a file of its own). A model without settings (a test's) is shared."""
    from s01_agent_loop.cli.trace import TracingModel
    from s01_agent_loop.model import AnthropicModel

    if isinstance(model, TracingModel):
        return TracingModel(clone_model(model.model, name), model.path.with_name(f"{model.path.stem}-{name}.jsonl"))
    if isinstance(model, AnthropicModel):
        return AnthropicModel(model.settings, model.max_retries)
    return model


# --- as a process ------------------------------------------------------------------------------


class ProcessTeammate:
    """The lead's handle on a teammate running as a process (what `start_process` returns)."""

    def __init__(self, name: str, process: subprocess.Popen, log, team):
        self.name, self.process, self.log, self.team = name, process, log, team

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: it unwinds, its SessionEnd stops what it started

    def join(self, timeout: float = STOP_WAIT) -> bool:
        try:
            self.process.wait(timeout)
            ended = True
        except subprocess.TimeoutExpired:
            kill_tree(self.process)
            self.process.wait()
            ended = False
        finished(self.process)
        self.log.close()
        if self.team.state(self.name).get("status") != "stopped":  # killed before it could say so
            self.team.write_state(self.name, {**self.team.state(self.name), "status": "stopped"})
        return ended


def start_process(lead, session: Session, name: str, team, mode: str | None = None,
                  extra_args: list[str] = ()) -> ProcessTeammate:
    """`python -m s15_agent_teams.teammate CHAPTER --teammate NAME --team T ...` in the work dir: the
    running chapter's harness (`main` below) as one teammate, in permission mode `mode` (else the
    lead's), with a later chapter's options `extra_args`. The model settings
    go through its stdin (a key never in an argument list or a file); its output to its log."""
    from s01_agent_loop.cli.trace import TracingModel

    model = lead.model.model if isinstance(lead.model, TracingModel) else lead.model
    settings = getattr(model, "settings", None)
    if settings is None:
        raise ValueError("teammates as processes need a model reached over HTTP (an AnthropicModel)")
    chapter = session.chapter.name if session.chapter is not None else "s15_agent_teams"
    argv = [sys.executable, "-m", "s15_agent_teams.teammate", chapter, "--teammate", name, "--team", team.name,
            "--workdir", str(session.workdir), "--permission-mode", mode or lead.config.permission_mode,
            "--max-turns", str(session.args.max_turns or DEFAULT_MAX_TURNS), "--model", lead.config.model]
    log = open(team.log_path(name), "ab")  # noqa: SIM115 - closed by ProcessTeammate.join
    process = start(argv + list(extra_args) + (["--verbose"] if session.args.verbose else []), session.workdir,
                    stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
    fields = {"api_key": settings.api_key, "auth_token": settings.auth_token, "base_url": settings.base_url,
              "model": lead.config.model}
    process.stdin.write(json.dumps(fields).encode() + b"\n")
    process.stdin.close()
    return ProcessTeammate(name, process, log, team)


def teammate_main(chapter, argv: list[str]) -> int:
    """A teammate process: its settings from stdin, its harness from the chapter, its loop until SIGTERM."""
    from rich.console import Console

    from s01_agent_loop.cli.entry import Terminated, on_termination_signals, parse_args
    from s01_agent_loop.cli.settings import Settings
    from s01_agent_loop.model import AnthropicModel

    from .display import TeammateView
    from .team import Team

    args = parse_args(chapter, argv)
    workdir = Path(args.workdir or ".").resolve()
    if not args.team or Team(workdir, args.team).member(args.teammate) is None:
        print(f"{chapter.name}: no teammate {args.teammate!r} in a team {args.team!r} in {workdir}", file=sys.stderr)
        return 2
    args.query = f"(teammate {args.teammate})"  # as for a thread: no cron ticker (s14)
    settings = Settings(**json.loads(sys.stdin.readline() or "{}"))
    sys.stdout.reconfigure(encoding="utf-8", errors="replace")  # subtle: its log is a file, whatever the locale
    console = Console(highlight=False, width=100, force_terminal=False)

    view = TeammateView(console, args.teammate, verbose=args.verbose)
    config = AgentConfig(model=settings.model, max_turns=args.max_turns or DEFAULT_MAX_TURNS)
    session = Session(AnthropicModel(settings, chapter.model_retries), config, workdir, view, args,
                      interactive=False, inbox=Inbox(console), chapter=chapter)
    on_termination_signals()
    agent = chapter.build(session)
    try:
        Teammate(agent, tell=console.print).work()
    except Terminated:
        pass  # the lead stopped the team: `work` has closed the session on the way out
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m s15_agent_teams.teammate CHAPTER --teammate NAME --team T ...`: CHAPTER names the
    package whose `wiring.CHAPTER` builds the teammate (s15's, or a later chapter's)."""
    import importlib

    argv = sys.argv[1:] if argv is None else argv
    chapter = importlib.import_module(f"{argv[0]}.wiring").CHAPTER
    return teammate_main(chapter, argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
