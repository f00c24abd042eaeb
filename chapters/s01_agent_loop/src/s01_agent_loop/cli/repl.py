"""The interactive loop: line editing and history (prompt_toolkit), slash commands, Ctrl-C.

It reads one place, the `Inbox` (inbox.py): lines the user types, and from s14 on prompts that
arrive on their own (a scheduled prompt), which run as turns too, never two at once.

Ctrl-C while the agent works cancels that turn only; the conversation stays valid (see `Agent.run`)
and the next prompt continues it. Ctrl-C at the prompt clears the line; Ctrl-D or /exit leaves.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import AgentStop
from .inbox import END, Posted

HISTORY_FILE = Path("~/.learn-agent-harness/history")


def repl(chapter, agent, console, inbox) -> int:
    """Read the inbox (inbox.py): typed lines, and prompts posted by what runs beside the agent."""
    console.print("[dim]/help for commands, Ctrl-C cancels a turn, Ctrl-D or /exit quits[/]")
    status = chapter.status_line and (lambda: chapter.status_line(agent))
    with inbox.reading(HISTORY_FILE.expanduser(), status, lambda: completer(chapter, agent)):
        while True:
            try:
                item = inbox.next()
            except KeyboardInterrupt:
                continue
            if item is END:
                return 0
            if isinstance(item, Posted):
                run_posted(chapter, agent, item, console)
                continue
            line = item.strip()
            if line in ("/exit", "/quit"):
                return 0
            if line:
                submit(chapter, agent, line, console)


def completer(chapter, agent):
    """What the line editor suggests on Tab: the slash commands (with their help) while the
    line is a `/` and a name, and whatever the chapter adds (`Chapter.completer`: full's `@path`)."""
    from prompt_toolkit.completion import Completer, Completion, merge_completers

    class SlashCommands(Completer):
        def get_completions(self, document, complete_event):
            typed = document.text_before_cursor
            if not typed.startswith("/") or " " in typed:
                return
            rows = {"help": "this list", "exit": "leave"} | {
                name: command.help for name, command in commands_of(agent).items()}
            for name, text in rows.items():
                if name.startswith(typed[1:]):
                    yield Completion(f"/{name}", -len(typed), display_meta=text.split(";")[0])

    slash = SlashCommands()
    return merge_completers([slash, chapter.completer(agent)]) if chapter.completer else slash


def run_posted(chapter, agent, posted: Posted, console) -> str | None:
    """A prompt that arrived on its own runs like a typed one, under a line saying where it came from."""
    from rich.text import Text

    console.print(Text.assemble("\n", (posted.source, "bold magenta"), "\n", ("› ", "bold green"), posted.prompt))
    return submit(chapter, agent, posted.prompt, console)


def submit(chapter, agent, line: str, console, interactive: bool = True) -> str | None:
    """Run one user line: a slash command or a task. Returns the answer, or None on failure.
    `interactive`: a REPL follows, so a failure says the conversation is kept for the next prompt."""
    kept = " [dim](the conversation is kept: send a prompt to try again)[/]" if interactive else ""
    if line.startswith("/"):
        name, _, argument = line[1:].partition(" ")
        command = commands_of(agent).get(name)
        if name == "help":
            show_help(agent, console)
        elif command is None:
            console.print(f"[red]unknown command /{name}[/]; /help lists them")
        else:
            command.run(agent, argument.strip(), console)
        return ""
    try:
        return agent.run(line)
    except KeyboardInterrupt:
        agent.view.stop()
        console.print("[yellow]interrupted[/] [dim](the conversation is kept; go on or ask something else)[/]")
    except AgentStop as stop:
        console.print(f"[red]stopped:[/] {stop}{kept}")
    except Exception as error:
        if not is_api_error(error):
            raise
        console.print(f"[red]model error:[/] {describe_api_error(error)}{kept}")
    return None


def show_help(agent, console) -> None:
    rows = {"help": "this list", "exit": "leave (Ctrl-D works too; /quit too)"}
    rows.update({name: command.help for name, command in commands_of(agent).items()})
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))  # subtle: a grid wraps a long help text under itself, not under the name
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for name, text in rows.items():
        table.add_row(f"  /{name}", Text(text))  # subtle: plain text, so `[interval]` is not taken for markup
    console.print(table)


def commands_of(agent) -> dict:
    """The REPL's own commands (for every agent), then the agent's (`agent.commands()`)."""
    from .chapter import SlashCommand
    from .trace import TracingModel

    own = {"messages": SlashCommand("the conversation so far, one line per block; /messages N: the last N",
                                    show_messages)}
    if isinstance(agent.model, TracingModel):  # --trace
        trace = agent.model.path
        own["trace"] = SlashCommand("where this session's trace is, and how to view it",
                                    lambda agent, argument, console: console.print(
                                        f"trace: {trace}\nview it: uv run trace-view {trace}"))
    return {**own, **agent.commands()}


def show_messages(agent, argument: str, console) -> None:
    """`/messages [N]`: each message of the history (the last N), each block on one line."""
    from rich.text import Text

    from ..agent import message_blocks
    from .console import summarize

    messages = agent.messages
    last = int(argument) if argument.isdigit() else len(messages)
    if not messages:
        console.print("[dim]no messages yet[/]")
    for index, message in enumerate(messages[len(messages) - last:], len(messages) - last):
        for block in message_blocks(message):
            kind = block.get("type")
            if kind == "tool_use":
                body = f"{block['name']} {summarize(block.get('input'), 200)}"
            elif kind == "tool_result":
                body = str(block.get("content"))
                kind += " (error)" if block.get("is_error") else ""
            else:
                body = str(block.get("text", block))
            body = " ".join(body.split())
            line = Text.assemble((f"{index:>3} {message['role']:<9} {kind:<20} ", "dim"),
                                 body[:200] + ("…" if len(body) > 200 else ""))
            console.print(line, no_wrap=True, overflow="ellipsis")


def is_api_error(error: Exception) -> bool:
    from ..model import IncompleteReply

    anthropic = sys.modules.get("anthropic")
    return isinstance(error, IncompleteReply) or (anthropic is not None and isinstance(error, anthropic.APIError))


def describe_api_error(error) -> str:
    """One line: the HTTP status and the API's own message, or the connection problem."""
    status = getattr(error, "status_code", None)
    request = getattr(error, "request", None)
    if status is None and request is not None:  # no answer at all: say where we knocked
        where = f"{request.url.scheme}://{request.url.host}" + (f":{request.url.port}" if request.url.port else "")
        return (f"{type(error).__name__}: no answer from {where} (after the SDK's own retries); check "
                "ANTHROPIC_BASE_URL, the network, and that the server is running")
    body = getattr(error, "body", None)
    message = body.get("error", {}).get("message") if isinstance(body, dict) else None
    text = message or str(error)
    hint = {401: " (check ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN)", 404: " (check MODEL_ID and ANTHROPIC_BASE_URL)"}
    return f"{status} {text}{hint.get(status, '')}" if status else f"{type(error).__name__}: {text}"
