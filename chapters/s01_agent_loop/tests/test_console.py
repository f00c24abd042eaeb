"""The rich `ConsoleView`: a spinner and live Markdown on a terminal; off one (`-q 2>log`, a pipe),
no live display at all, and the tool lines and previews as plain text."""

import io
import types

import pytest
from rich.console import Console
from rich.live import Live

from s01_agent_loop import Agent, AgentConfig
from s01_agent_loop.cli.console import ConsoleView
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use

TOOL_TURN = types.SimpleNamespace(stop_reason="tool_use")


@pytest.fixture
def live_starts(monkeypatch) -> list:
    """Every `Live` started (a spinner is one: `console.status` starts a `Live`), and every status made."""
    started = []
    original_start, original_status = Live.start, Console.status

    def start(live, *args, **kwargs):
        started.append(live)
        return original_start(live, *args, **kwargs)

    def status(console, *args, **kwargs):
        started.append("status")
        return original_status(console, *args, **kwargs)

    monkeypatch.setattr(Live, "start", start)
    monkeypatch.setattr(Console, "status", status)
    return started


@pytest.mark.parametrize("quiet", [True, False])
def test_off_a_terminal_there_is_no_spinner_or_live_display(tmp_path, live_starts, quiet):
    out = io.StringIO()
    console = Console(file=out, highlight=False)
    assert not console.is_terminal
    model = ScriptedModel([message(text("Let me look."), tool_use("bash", command="printf 'a\\tb\\n'; seq 1 9")),
                           text("It holds **nine** numbers.")])
    agent = Agent(model, AgentConfig(model="claude-test"), tmp_path, ConsoleView(console, quiet=quiet))

    assert agent.run("what is there?") == "It holds **nine** numbers."

    assert live_starts == []
    log = out.getvalue()
    assert "\x1b" not in log  # no styles, no cursor movement: a plain log
    assert "● bash  printf 'a\\tb\\n'; seq 1 9\n" in log
    assert "  a       b\n  1\n  2\n" in log  # the preview, indented, tabs expanded
    assert "  … 4 more lines\n" in log  # six lines shown of ten
    if quiet:  # the answer is the caller's to print (on stdout); the text before a tool call is logged
        assert "Let me look.\n" in log and "nine" not in log
    else:
        assert "nine" in log


def test_off_a_terminal_nested_runs_and_errors_are_plain_and_indented(live_starts):
    out = io.StringIO()
    view = ConsoleView(Console(file=out), quiet=True).nested()
    view.model_start()
    view.model_end(TOOL_TURN)
    view.tool_start("read_file", {"path": "notes.txt"})
    view.tool_end("read_file", "no such file: notes.txt\n\nuse glob to find it", is_error=True)
    assert live_starts == []
    assert out.getvalue() == (
        '    ● read_file  path="notes.txt"\n'
        "      no such file: notes.txt\n"
        "\n"
        "      use glob to find it\n"
    )


def test_a_recording_console_keeps_the_plain_log():
    console = Console(file=io.StringIO(), record=True)
    view = ConsoleView(console, quiet=True)
    view.tool_start("bash", {"command": "ls"})
    view.tool_end("bash", "a.py", is_error=False)
    assert console.export_text() == "● bash  ls\n  a.py\n"


def test_on_a_terminal_the_spinner_and_styles_stay(live_starts):
    out = io.StringIO()
    view = ConsoleView(Console(file=out, force_terminal=True, width=100), quiet=True)
    view.model_start()
    assert view.status is not None and live_starts
    view.model_end(TOOL_TURN)
    assert view.status is None
    view.tool_start("bash", {"command": "ls"})
    view.tool_end("bash", "a.py", is_error=False)
    assert "bash" in out.getvalue() and "a.py" in out.getvalue() and "\x1b[" in out.getvalue()


@pytest.mark.parametrize("running", [False, True])
def test_on_a_terminal_streamed_text_is_drawn_once(running):
    """The live display draws the reply as it streams; when it ends, nothing prints it again (also
    when tools started during the stream still run, s20)."""
    out = io.StringIO()
    view = ConsoleView(Console(file=out, force_terminal=True, width=100))
    view.model_start()
    for chunk in ("The median ", "is wrong ", "for an even count."):
        view.model_text(chunk)
    if running:
        view.tool_running("read_file")
    view.model_end(message(text("The median is wrong for an even count.")))
    view.stop()
    assert out.getvalue().count("for an even count.") == 1


@pytest.mark.parametrize("terminal", [False, True])
def test_a_tool_call_arriving_mid_stream_goes_below_the_text_shown_once(terminal):
    """s20 starts a call while the reply still streams: the text before it is shown first, once."""
    out = io.StringIO()
    view = ConsoleView(Console(file=out, force_terminal=terminal, width=100))
    view.model_start()
    view.model_text("Five looks at once:")
    view.tool_start("read_file", {"path": "README.md"})
    view.tool_running("read_file")
    view.model_end(message(text("Five looks at once:")))
    view.tool_end("read_file", "# wordstats", is_error=False)
    shown = out.getvalue()
    assert shown.count("Five looks at once:") == 1
    assert shown.index("Five looks at once:") < shown.index("read_file") < shown.index("# wordstats")


def test_the_spinner_says_which_tools_still_run_and_how_many_are_done():
    """s20 runs reads side by side; the label tells running from done (results come in call order)."""
    view = ConsoleView(Console(file=io.StringIO(), force_terminal=True, width=100))
    for name in ("read_file", "grep", "read_file"):
        view.tool_start(name, {})
        view.tool_running(name)
    assert view.running_label() == "[dim]running 3 tools (read_file, grep)…[/]"
    view.tool_finished("read_file")
    view.tool_finished("grep")
    assert view.running_label() == "[dim]running read_file, 2 done…[/]"
    view.tool_finished("read_file")
    assert view.running_label() == "[dim]3 tools done, results follow…[/]"
    for name in ("read_file", "grep"):
        view.tool_end(name, "ok", is_error=False)
    assert view.status is not None  # one result still to show
    view.tool_end("read_file", "ok", is_error=False)
    assert view.status is None
