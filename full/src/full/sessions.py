"""`SessionLog`: every conversation saved as it happens, and brought back by `--continue`,
`--resume [ID]` and `/resume [ID]`, its next request byte-identical to the last one before the exit.

The file (session_store.py) is `.harness/sessions/<id>.jsonl`, one line per prompt and per sync.
`SessionLog` is plugged in last, so it saves the messages as every other extension left them:
    on_event        UserPromptSubmit: the prompt (the picker's title, the turn count);
                    Stop, TurnEnd (however the turn ended), SessionEnd: a sync (at SessionEnd
                    the file is closed and its lock let go: one writer per session);
                    SessionStart "clear" (`/clear`): the next prompt opens a new file
    wrap_model_call a sync before every model request, the innermost: a kill -9 loses at most the turn
                    in flight
    commands        `/resume [ID]`

A resume is s02's `Harness.resume`: the messages, SessionStart with source "resume" (hooks see it),
then each extension's `restore_session` with the states saved beside the messages (s10's snapshot of
CLAUDE.md, the date and git, and its tool order; s14's session crons; s06's and s09's). Open tasks
need nothing: s12's board is on disk, and its SessionStart puts the open ones before the next prompt.

A subagent (s04) gets no log (`for_subagent` is None), and a teammate (s15, built by the same
`build` with `--teammate`) neither writes the lead's session nor resumes one.
"""

from __future__ import annotations

import argparse
import uuid
from functools import partial
from pathlib import Path

from rich.text import Text

from s01_agent_loop.cli.chapter import SlashCommand
from s01_agent_loop.errors import ConfigurationError
from s02_tool_use.extension import Extension
from s13_background_tasks.display import one_line

from . import picker
from .session_store import SessionError, SessionWriter, find_session, list_sessions, replay, sessions_dir


class SessionLog(Extension):
    def __init__(self, workdir: Path, enabled: bool = True, tell=print):
        self.workdir = Path(workdir)
        self.enabled = enabled
        """False for a teammate: it keeps no session of its own here."""
        self.id = str(uuid.uuid4())
        self.writer: SessionWriter | None = None  # None until the first prompt opens the file
        self.tell = tell  # how a problem reaches the user (the view's `notice`)

    @property
    def path(self) -> Path:
        """The session file (it exists from the first prompt on)."""
        return self.workdir / ".harness" / "sessions" / f"{self.id}.jsonl"

    @classmethod
    def open(cls, session, agent) -> SessionLog:
        """The log for the agent `build` made: a new session, or with `--continue` / `--resume` an
        earlier one brought back (ConfigurationError, one line, when there is none to bring)."""
        args = session.args
        if getattr(args, "teammate", None):
            return cls(session.workdir, enabled=False)
        log = cls(session.workdir, tell=session.view.notice)
        wanted = getattr(args, "resume", None)
        if getattr(args, "continue_session", False):
            sessions = list_sessions(session.workdir)
            if not sessions:
                raise ConfigurationError(f"--continue: no saved session in {session.workdir} (a session is saved "
                                         "from its first prompt on)")
            log.resume(agent, sessions[0].path)
        elif wanted is not None:
            log.resume(agent, pick(session, wanted))
        return log

    # the log ---------------------------------------------------------------------------------

    def on_event(self, agent, event: str, data: dict) -> None:
        if not self.enabled:
            return
        if event == "UserPromptSubmit":
            self.guarded(self.record_prompt, agent, data.get("prompt") or "")
        elif event in ("Stop", "TurnEnd"):
            self.sync(agent)
        elif event == "SessionEnd":  # the last sync; then the session is free for another process
            self.sync(agent)
            self.close()
        elif event == "SessionStart" and data.get("source") == "clear":
            self.close()
            self.id = str(uuid.uuid4())  # a new conversation, a new file at its first prompt

    def wrap_model_call(self, agent, request: dict, call_next):
        """Sync right before each model request: innermost, after every extension's `before_request`
        and `shape_request` (s10's tool order is known by then), the history as sent."""
        self.sync(agent)
        return call_next(request)

    def sync(self, agent) -> None:
        """Save what changed since the last sync (messages, extension states) as one line."""
        if self.enabled and self.writer is not None:
            self.guarded(lambda: self.writer.sync(agent.messages, agent.session_states()))

    def record_prompt(self, agent, prompt: str) -> None:
        if self.writer is None:
            self.writer = SessionWriter(self.path)
            sessions_dir(self.workdir)
            self.writer.start({"type": "session", "sessionId": self.id, "cwd": str(agent.workdir),
                               "model": agent.config.model})
        self.writer.append({"type": "prompt", "text": prompt})

    def guarded(self, write, *args) -> None:
        """A write that fails (a full disk) stops the saving, said once; never the session."""
        try:
            write(*args)
        except OSError as error:
            self.enabled = False
            self.close()
            self.tell(Text(f"session {self.id[:8]} is no longer saved: {error}", style="yellow"))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    # bringing one back -----------------------------------------------------------------------

    def resume(self, agent, path: Path) -> None:
        """Continue the session saved in `path`: the agent gets its history and states back, and
        this log appends to that file from now on."""
        writer = SessionWriter(path)
        try:
            writer.claim()  # subtle: before the read, so no other process appends behind it
            saved = replay(path)
        except OSError as error:
            writer.close()
            raise ConfigurationError(f"cannot resume {path}: {error.strerror}") from None
        except SessionError as error:
            writer.close()
            raise ConfigurationError(f"cannot resume: {error}") from None
        if self.writer is not None:
            self.sync(agent)
            self.close()
        agent.resume(saved.messages, saved.states)
        self.id = path.stem
        self.writer = writer
        self.guarded(self.writer.reopen, saved)
        if self.writer is not None:
            self.guarded(self.writer.append, {"type": "resume", "model": agent.config.model})
            self.sync(agent)  # states that changed on the way back (an expired cron left out)
        turns = len(saved.prompts)
        last = one_line(saved.prompts[-1], 50) if saved.prompts else "-"
        agent.view.notice(Text(f"resumed session {self.id[:8]}: {turns} turn{'s' * (turns != 1)}, "
                               f"{len(saved.messages)} messages; last prompt: {last}", style="dim"))

    def commands(self) -> dict[str, SlashCommand]:
        if not self.enabled:
            return {}
        return {"resume": SlashCommand("go back to a saved session of this folder: /resume ID, or pick one",
                                       partial(resume_command, self))}


# ---------------------------------------------------------------------------------------------


def pick(session, wanted: str) -> Path:
    """`--resume ID` (an id or its first characters), or with no ID the picker on a terminal."""
    if wanted:
        try:
            return find_session(session.workdir, wanted).path
        except SessionError as error:
            raise ConfigurationError(f"--resume: {error}") from None
    sessions = list_sessions(session.workdir)
    if not sessions:
        raise ConfigurationError(f"--resume: no saved session in {session.workdir}")
    if not session.interactive:
        recent = ", ".join(f"{s.id[:8]} ({one_line(s.first_prompt, 30)})" for s in sessions[:3])
        raise ConfigurationError(f"--resume needs a session id with no terminal to pick one on: --resume ID "
                                 f"(an id or its first characters; recent: {recent}), or --continue for the latest")
    console = getattr(session.view, "console", None)
    if console is None:
        from rich.console import Console

        console = Console()
    chosen = picker.choose(sessions, console)
    if chosen is None:
        raise ConfigurationError("--resume: no session picked")
    return chosen.path


def resume_command(log: SessionLog, agent, argument: str, console) -> None:
    """`/resume [ID]`: go back to a saved session inside the running one."""
    sessions = [s for s in list_sessions(log.workdir) if s.id != log.id]
    if argument:
        try:
            chosen = find_session(log.workdir, argument)
        except SessionError as error:
            console.print(f"[red]/resume: {error}[/]")
            return
        if chosen.id == log.id:
            console.print("[dim]that is this session[/]")
            return
    elif not sessions:
        console.print("[dim]no other saved session in this folder[/]")
        return
    elif not getattr(console, "is_terminal", False):
        console.print(picker.listing(sessions))
        console.print("[dim]/resume ID resumes one (an id or its first characters)[/]")
        return
    else:
        chosen = picker.choose(sessions, console)
        if chosen is None:
            return
    try:
        log.resume(agent, chosen.path)
    except ConfigurationError as error:
        console.print(f"[red]/resume: {error}[/]")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-c", "--continue", dest="continue_session", action="store_true",
                       help="continue the most recent session of this folder")
    group.add_argument("-r", "--resume", nargs="?", const="", metavar="ID",
                       help="resume a saved session: its id (or the first characters), or pick one on a terminal")
