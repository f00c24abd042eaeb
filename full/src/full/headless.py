"""`-q` for scripts: one task, reported in Claude Code's shapes, and an exit code that says how it ended.

    uv run full -q "fix the failing test" --output-format json --max-turns 20 \\
        --allowedTools "Bash(pytest:*)" Read Edit --disallowedTools "Bash(git push:*)"

`--output-format` (Claude Code's `-p --output-format`):
    text         the final answer on stdout (s01's `-q`)
    json         one result object when the run ends: {"type": "result", "subtype": "success",
                 "is_error": false, "duration_ms", "duration_api_ms", "num_turns", "result": the
                 answer, "session_id", "total_cost_usd" (null when the model's price is unknown),
                 "usage": {"input_tokens", "output_tokens", "cache_read_input_tokens",
                 "cache_creation_input_tokens"}, "permission_denials": [{"tool_name",
                 "tool_use_id", "tool_input"}, ...] (the calls s07's gate refused: part of the
                 work, not a failure)}; a run that did not succeed has subtype
                 `error_max_turns` or `error_during_execution`, `is_error` true, its reason as
                 `result` and in `errors`
    stream-json  one JSON object per line, as things happen: {"type": "system", "subtype": "init",
                 "session_id", "cwd", "model", "tools", "mcp_servers", "permissionMode", ...}; each
                 assistant message before its tools run and each user message (tool results) as it
                 is sent on, as {"type": "assistant" | "user", "message": {...}, "session_id"};
                 the result object last

Exit codes:
    0    success: the model finished (a tool call the permission rules denied is part of the work)
    1    failed during execution: a model or API error, a prompt a hook blocked
    2    bad usage or configuration, before anything ran: an unknown option, a rule of
         `--allowedTools` that does not parse, a broken settings file (s01's, s07's)
    3    stopped by `--max-turns` before the model finished
    130  interrupted by Ctrl-C
    143  stopped by SIGTERM (129: SIGHUP), as s01 does: what the tools started is stopped too, and
         no result object is written (the lines already written stay whole)

Only the report goes to stdout. For the length of the run, file descriptor 1 (with it `print`, and
every process that inherits it: a hook, an MCP server, a command) points at stderr, where the
console already draws the progress, so nothing else can break a script's parse.

`--allowedTools` and `--disallowedTools` take rules of the settings files' form (`Bash(git log:*)`,
`Read`, `mcp__git`), several per flag, space or comma separated; they join s07's rules for this run
(`Permissions.add_rules`, source "command line"), checked like a settings file's
(`validation.checked_rule`): a rule that does not parse stops the run. Deny > ask > allow holds
across every source, and with no terminal an ask is a denial, so `--allowedTools` is how a script
lets a command run that would otherwise be asked about.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager

from s01_agent_loop.errors import AgentStop, ConfigurationError, TurnLimit
from s02_tool_use.extension import Extension

FORMATS = ("text", "json", "stream-json")
SUCCESS, FAILED, STOPPED_BY_MAX_TURNS, INTERRUPTED = 0, 1, 3, 130
RULE_SOURCE = "command line"
RULE_FLAGS = (("allowedTools", "allowed-tools", "allowed without asking"),
              ("disallowedTools", "disallowed-tools", "denied"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output-format", choices=FORMATS, default="text",
                        help="with -q: the final answer (text), one JSON result (json), or one JSON object per "
                             "line as the run goes (stream-json), in Claude Code's shapes")
    for flag, dashed, what in RULE_FLAGS:
        parser.add_argument(f"--{flag}", f"--{dashed}", dest=dashed.replace("-", "_"), nargs="+", action="extend",
                            metavar="RULE", help=f"tool calls {what} in this run, as permission rules "
                            "(\"Bash(git log:*)\" Read Edit; space or comma separated; repeatable)")


def check_format(session) -> None:
    """`--output-format json` or `stream-json` without `-q` would be ignored in silence (the REPL
    draws for a person): it stops the run instead, one line, exit 2."""
    chosen = getattr(session.args, "output_format", "text")
    if chosen != "text" and not session.args.query:
        raise ConfigurationError(f"--output-format {chosen} shapes what -q prints: add -q PROMPT")


# --- the command line's rules ------------------------------------------------------------------


def split_rules(values: list[str]) -> list[str]:
    """`["Bash(git log:*) Read,Edit"]` -> `["Bash(git log:*)", "Read", "Edit"]`: commas and spaces
    separate rules, except inside a rule's parentheses."""
    rules = []
    for value in values:
        depth, current = 0, ""
        for char in value:
            if char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
            if depth == 0 and (char == "," or char.isspace()):
                if current:
                    rules.append(current)
                current = ""
            else:
                current += char
        if current:  # subtle: after an unclosed `(` the rest stays one rule, which checked_rule refuses
            rules.append(current)
    return rules


def apply_tool_rules(session, agent) -> None:
    """Add `--allowedTools` and `--disallowedTools` to s07's rules for this run. A rule that does not
    parse stops the run before it starts, as a broken settings file does (ConfigurationError: one
    line naming the flag, exit 2; what the build started, an MCP server, goes with the process)."""
    from s07_permission_system.permissions import Permissions
    from s07_permission_system.validation import checked_rule

    rules = []
    for (flag, dashed, _), behavior in zip(RULE_FLAGS, ("allow", "deny"), strict=True):
        for text in split_rules(getattr(session.args, dashed.replace("-", "_"), None) or []):
            try:
                rules.append(checked_rule(text, behavior, RULE_SOURCE))
            except ValueError as error:
                raise ConfigurationError(f"--{flag}: {error}") from None
    if rules:
        Permissions.of(agent).add_rules(rules)


# --- the run --------------------------------------------------------------------------------------


def run_query(chapter, agent, args, console) -> int:
    """s01's `Chapter.run_query` point: run `args.query` and report it in `--output-format`."""
    with stdout_for_the_report() as out:
        return Report(agent, getattr(args, "output_format", "text"), out).run(chapter, args.query, console)


@contextmanager
def stdout_for_the_report():
    """The real stdout, kept for the report alone; meanwhile file descriptor 1 is stderr."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 to keep (an embedding host): report on what there is
        yield sys.stdout
        return
    os.dup2(2, 1)
    out = open(saved, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    try:
        yield out
    finally:
        out.close()
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


class Report(Extension):
    """One `-q` run and its report. Plugged in outermost: for stream-json, it writes each message
    before the request that carries it goes out and each assistant message before its tools run.
    Its times and tokens are the `Meter`'s (`duration_api_ms`: s11's retries and their waits included)."""

    def __init__(self, agent, output_format: str, out):
        self.agent = agent
        self.format = output_format
        self.out = out
        self.seen: dict[int, dict] = {}  # id -> message, each message written (or not to be)
        self.last_reply = None  # the reply behind the newest assistant message
        self.prompt_pending = True  # the prompt's user message is still to come

    # the extension points ---------------------------------------------------------------------

    def wrap_model_call(self, agent, request: dict, call_next):
        self.flush()  # the messages this request carries, as sent
        self.last_reply = call_next(request)
        return self.last_reply

    def run_tools(self, agent, calls: list, results: list[dict]) -> bool:
        self.flush()  # the assistant message that asks for them, before they run
        return False

    # the run ------------------------------------------------------------------------------------

    def run(self, chapter, prompt: str, console) -> int:
        from s01_agent_loop.cli.repl import describe_api_error, is_api_error, submit
        from s07_permission_system.permissions import Permissions

        from .meter import Meter

        agent, began, turns = self.agent, time.monotonic(), self.agent.n_turns
        meter = Meter.of(agent)
        self.api_seconds_before = meter.api_seconds if meter is not None else 0.0  # a resumed session's count goes on
        gate = Permissions.of(agent)
        self.denials = gate.denied if gate is not None else {}  # the calls s07's gate refused, by id
        self.denied_before = set(self.denials)
        import anthropic  # noqa: F401 - subtle: loaded now, not inside the first call, so that call's time is the model's
        agent.use(self, outermost=True)
        for message in agent.messages:  # a resumed session's history was written before
            self.seen[id(message)] = message
        code, reason, answer = SUCCESS, None, ""
        try:
            if self.format == "stream-json":
                self.write(self.init())
            if prompt.startswith("/"):  # a slash command: its output is the console's
                submit(chapter, agent, prompt, console, interactive=False)
            else:
                answer = agent.run(prompt)
        except KeyboardInterrupt:
            agent.view.stop()
            code, reason = INTERRUPTED, "interrupted by the user"
        except TurnLimit as stop:
            code, reason = STOPPED_BY_MAX_TURNS, f"--max-turns: {stop}"
        except AgentStop as stop:
            code, reason = FAILED, str(stop)
        except Exception as error:
            if not is_api_error(error):
                raise
            code, reason = FAILED, f"model error: {describe_api_error(error)}"
        if reason:
            console.print(f"[red]stopped:[/] {reason}")
        self.flush()
        if self.format == "text":
            if code == SUCCESS:
                self.out.write(answer + "\n")
        else:
            self.write(self.result(code, reason, answer, time.monotonic() - began, agent.n_turns - turns))
        return code

    def init(self) -> dict:
        """Claude Code's first line: what this run works with (MCP servers waited for, as the first request would)."""
        from s01_agent_loop.cli.repl import commands_of
        from s19_mcp_plugin.plugin import McpPlugin

        agent = self.agent
        plugin = McpPlugin.of(agent)
        statuses = plugin.ready(agent) if plugin is not None else {}
        servers = [{"name": name, "status": status} for name, status in statuses.items()]
        return {"type": "system", "subtype": "init", "session_id": self.session_id(), "cwd": str(agent.workdir),
                "model": agent.config.model, "tools": list(agent.tools.tools), "mcp_servers": servers,
                "permissionMode": agent.config.permission_mode, "slash_commands": sorted(commands_of(agent)),
                "output_style": "default"}

    def result(self, code: int, reason: str | None, answer: str, seconds: float, turns: int) -> dict:
        from .meter import Meter

        meter = Meter.of(self.agent)
        usage = meter.usage if meter is not None else {}
        subtype = {SUCCESS: "success", STOPPED_BY_MAX_TURNS: "error_max_turns"}.get(code, "error_during_execution")
        api_seconds = meter.api_seconds - self.api_seconds_before if meter is not None else 0.0
        found = {"type": "result", "subtype": subtype, "is_error": code != SUCCESS,
                 "duration_ms": round(seconds * 1000), "duration_api_ms": round(api_seconds * 1000),
                 "num_turns": turns, "result": answer if code == SUCCESS else reason,
                 "session_id": self.session_id(), "total_cost_usd": meter.cost_usd if meter is not None else None,
                 "usage": {"input_tokens": usage.get("input", 0), "output_tokens": usage.get("output", 0),
                           "cache_read_input_tokens": usage.get("cache_read", 0),
                           "cache_creation_input_tokens": usage.get("cache_write", 0)},
                 "permission_denials": [{"tool_name": call.name, "tool_use_id": call.id, "tool_input": call.input}
                                        for call in self.denials.values() if call.id not in self.denied_before]}
        return found if code == SUCCESS else {**found, "errors": [reason]}

    def flush(self) -> None:
        """stream-json: every message of the conversation not written yet, in order; not the
        prompt's (as in Claude Code): the run's first new message, when it is the user's."""
        for message in self.agent.messages:
            if self.seen.get(id(message)) is message:
                continue
            self.seen[id(message)] = message
            prompt, self.prompt_pending = self.prompt_pending and message["role"] == "user", False
            if self.format == "stream-json" and not prompt:
                self.write({"type": message["role"], "message": self.message(message), "parent_tool_use_id": None,
                            "session_id": self.session_id()})

    def message(self, message: dict) -> dict:
        """A message as the stream shows it: an assistant one with its reply's id, model, stop
        reason and usage, as the API sent them."""
        reply = self.last_reply
        if message["role"] != "assistant" or reply is None:
            return message
        usage = getattr(reply, "usage", None)
        return {"id": getattr(reply, "id", None), "type": "message", "role": "assistant",
                "model": getattr(reply, "model", None), "content": message["content"],
                "stop_reason": getattr(reply, "stop_reason", None),
                "usage": usage.to_dict() if hasattr(usage, "to_dict") else None}

    def session_id(self) -> str | None:
        from .sessions import SessionLog

        log = SessionLog.of(self.agent)
        return log.id if log is not None else None

    def write(self, line: dict) -> None:
        self.out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.out.flush()
