"""Chapter 8: hooks. The harness's extension points, opened to the user's own shell commands.

Up to s07 only Python code plugged into the loop. `Hooks` is one extension that turns each point
into a Claude Code hook event and runs the commands configured for it in `.claude/settings.json`:
    pre_tool_use   -> PreToolUse     a verdict: deny (block) the call, allow it, ask, or rewrite its input
    post_tool_use  -> PostToolUse    feedback appended to the result the model reads
    on_event       -> UserPromptSubmit, Stop, SubagentStop, SessionStart, PreCompact
Hooks know nothing of permissions: their verdict meets s07's only in the harness's fold, where a
hook's "allow" settles just the mode's default ask (deny rules, ask rules and plan mode still
hold). The wiring plugs Hooks in ahead of s07, so the gate judges the input a hook rewrote.
"""

from __future__ import annotations

import uuid
from functools import partial
from pathlib import Path

from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension, Outcome, Verdict
from s02_tool_use.settings import SettingsError
from s02_tool_use.tools import ToolCall, ToolResult

from .config import EVENTS, HookConfig, load_hooks
from .runner import HookRun, run_hook

SESSION_EVENTS = ("SessionStart", "UserPromptSubmit", "Stop")
"""Events of the main agent only: a subagent's start, prompt and stop are its parent's SubagentStop."""
BLOCKING = ("PreToolUse", "UserPromptSubmit", "Stop")
"""Events a hook can stop: the first block ends the event's run of hooks."""
DETAIL_LINES = 6  # of a hook's reason or context, shown to the user


class Hooks(Extension):
    def __init__(self, home: Path | None = None, ignore_broken: bool = False):
        self.home = home  # user hooks are in <home>/.claude/settings.json; None: the user's home
        self.ignore_broken = ignore_broken  # skip entries that cannot be understood, instead of stopping
        self.session_id = str(uuid.uuid4())  # one per session, shared with subagents
        self.config: HookConfig | None = None  # read at SessionStart (a snapshot) and by /hooks
        self.main = None  # the agent whose session this is (the first to start one)

    def for_subagent(self) -> Hooks:
        """the same hooks guard a subagent's tool calls."""
        return self

    def load(self, agent) -> HookConfig:
        """Read the settings files now. An entry that cannot be understood stops the agent (a
        `SettingsError`: fewer hooks than the user wrote could let through what a hook blocks),
        unless `ignore_broken`; one that cannot run here is skipped with a warning."""
        config = load_hooks(agent.workdir, self.home)
        if config.errors and not self.ignore_broken:
            raise SettingsError(f"{config.errors[0]} (fix it, or run with --ignore-broken-settings to skip it)")
        self.config = config
        for warning in [*config.warnings, *config.errors]:
            agent.view.notice(Text(f"warning: hooks: {warning} (skipped)", style="yellow"))
        return config

    # ---------------------------------------------------------------------------------------
    # The events, one extension point each.

    def commands(self) -> dict[str, SlashCommand]:
        from .commands import show_hooks

        return {"hooks": SlashCommand("list the hooks in force and where they come from (re-reads the settings)",
                                      partial(show_hooks, self))}

    def pre_tool_use(self, agent, call: ToolCall) -> Verdict | None:
        behavior, reasons, tool_input = None, [], None
        for run in self.run(agent, "PreToolUse", call.name, tool_name=call.name, tool_input=call.input,
                            tool_use_id=call.id):
            answer = run.specific()
            decision = answer.get("permissionDecision")
            # 1. exit 2, "deny" (or the older `decision: "block"`): the call does not run; the
            #    reason is its error result
            if run.blocks:
                return Verdict("deny", f"the {run.hook.label()}", f"Blocked by the {run.hook.label()}: {run.reason}")
            # 2. updatedInput replaces the input; the registry validates it like any other
            if isinstance(answer.get("updatedInput"), dict):
                tool_input = answer["updatedInput"]
            # 3. "allow" and "ask" are this extension's verdict; "ask" wins over "allow"
            if decision in ("allow", "ask") and behavior != "ask":
                behavior = decision
                reasons.append(answer.get("permissionDecisionReason") or f"the {run.hook.label()}")
        if behavior is None and tool_input is None:
            return None
        reason = f"a PreToolUse hook {'asks for approval' if behavior == 'ask' else 'allowed it'}"
        return Verdict(behavior, f"{reason} ({reasons[-1]})" if reasons else reason, updated_input=tool_input)

    def post_tool_use(self, agent, call: ToolCall, result: ToolResult) -> ToolResult | None:
        if result.is_error:
            return None  # Claude Code runs PostToolUse after a tool succeeded
        notes = []
        for run in self.run(agent, "PostToolUse", call.name, tool_name=call.name, tool_input=call.input,
                            tool_response=result.content, tool_use_id=call.id):
            if run.blocks:
                notes.append(f"[{run.hook.label()}] {run.reason}")
            elif run.context():
                notes.append(f"[{run.hook.label()}] {run.context()}")
        if not notes:
            return None
        return result.with_note("\n".join(notes))

    def on_event(self, agent, event: str, data: dict) -> Outcome | None:
        if event == "SessionStart" and self.main is None:
            self.main = agent
            if self.config is None:  # the wiring read them already; a snapshot, as in Claude Code
                self.load(agent)  # (edits show up at /hooks)
        if event in SESSION_EVENTS and agent is not self.main:
            return None
        if event == "PreCompact":
            self.run(agent, event, data.get("trigger"), trigger=data.get("trigger"),
                     custom_instructions=data.get("focus") or "")
            return None
        fields = {"UserPromptSubmit": {"prompt": data.get("prompt")},
                  "Stop": {"stop_hook_active": bool(data.get("stop_hook_active"))},
                  "SubagentStop": {"stop_hook_active": False, "agent_type": data.get("agent_type"),
                                   "description": data.get("description")},
                  "SessionStart": {"source": data.get("source")}}.get(event)
        if fields is None and event in EVENTS:  # a later chapter's event: its data is the hook's input
            fields = {key: value for key, value in data.items() if isinstance(value, str | int | float | bool | None)}
        if fields is None:
            return None
        return self.outcome(agent, event, self.run(agent, event, data.get("source"), **fields))

    def outcome(self, agent, event: str, runs: list[HookRun]) -> Outcome:
        """What the harness does next: a block (a refused prompt, a stop refused), and context."""
        outcome = Outcome()
        for run in runs:
            if run.blocks:
                if event == "SubagentStop":  # subtle: the child has already ended
                    self.notify(agent, f"{run.hook.label()} would keep the subagent going, "
                                       f"but here it runs after the subagent ended: {run.reason}", "yellow")
                elif event not in ("SessionStart", "SessionEnd", "PreCompact"):  # what can be refused
                    outcome.block = outcome.block or run.reason
                continue
            if event in ("UserPromptSubmit", "SessionStart") and run.context():
                outcome.context.append(run.context())
        return outcome

    # ---------------------------------------------------------------------------------------

    def run(self, agent, event: str, match: str | None = None, **fields) -> list[HookRun]:
        """Run the hooks of `event` whose matcher matches `match`, in order, until one blocks.
        Each run is shown to the user on one line; errors never stop the agent."""
        config = self.config or self.load(agent)
        runs = []
        for hook in config.matching(event, match):
            run = run_hook(hook, self.payload(agent, event) | fields, agent.workdir)
            runs.append(run)
            self.show(agent, run)
            if run.blocks and event in BLOCKING:
                break
        return runs

    def payload(self, agent, event: str) -> dict:
        """The fields every hook gets on stdin."""
        return {"session_id": self.session_id, "transcript_path": None, "cwd": str(agent.workdir),
                "hook_event_name": event, "permission_mode": agent.config.permission_mode}

    def show(self, agent, run: HookRun) -> None:
        """One line per hook run, and what it said (a PreToolUse block's reason is in the result)."""
        if run.error:
            self.notify(agent, f"⚑ hook error: {run.error}", "yellow")
            return
        specific = run.specific()
        if run.blocks:
            verdict, detail = "blocked", None if run.hook.event == "PreToolUse" else run.reason
        elif specific.get("permissionDecision"):
            verdict, detail = specific["permissionDecision"], specific.get("permissionDecisionReason")
        elif "updatedInput" in specific:
            verdict, detail = "input rewritten", str(specific["updatedInput"])
        else:
            verdict, detail = ("context added", run.context()) if run.context() else ("ok", None)
        lines = str(detail or "").splitlines()
        detail = "".join(f"\n  {line}" for line in lines[:DETAIL_LINES]) + ("\n  …" if len(lines) > DETAIL_LINES else "")
        self.notify(agent, f"⚑ {run.hook.label()}: {verdict}{detail}", "yellow" if run.blocks else "dim")
        if isinstance((run.output or {}).get("systemMessage"), str):
            self.notify(agent, run.output["systemMessage"], "yellow")

    @staticmethod
    def notify(agent, text: str, style: str) -> None:
        agent.view.notice(Text(text, style=style))  # a line about the run, not the tool's own output
