"""s06 end to end: the demo, and `-q` against the scripted server with the `compact` tool."""

import argparse
import json

import pytest

from s01_agent_loop.cli import parse_args
from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import Expect, ScriptedServer, step
from s06_context_compact.wiring import CHAPTER, DEMO_BUDGET, context_budget


def test_demo_spills_clears_and_compacts():
    result = run_chapter("s06_context_compact", "--demo")
    assert result.returncode == 0, result.stderr
    screen = " ".join(result.stdout.split())  # rich wraps long lines
    assert "Full output saved to: .harness/tool-outputs/toolu_trace_long.txt" in screen
    assert "cleared 1 old tool result:" in screen
    assert "compacted: " in screen and "(transcript saved to .harness/transcripts/" in screen
    assert screen.count("context: ") == 2 and "tool results" in screen
    assert "Ran 5 tests" in screen and "OK" in screen


def test_query_with_the_compact_tool(tmp_path):
    (tmp_path / "log.txt").write_text("".join(f"event {i}\n" for i in range(3000)), encoding="utf-8")
    script = [
        step(tool_use=[{"name": "bash", "input": {"command": "cat log.txt"}}],
             expect={"tools": ["bash", "read_file", "compact"]}),
        step(tool_use=[{"name": "read_file", "input": {"path": "log.txt", "offset": 2990}}],
             expect={"tool_result_contains": "Full output saved to: .harness/tool-outputs/"}),
        step(tool_use=[{"name": "compact", "input": {"focus": "the event count"}}],
             expect={"tool_result_contains": "event 2999"}),
        step(text="The log has 3000 events, event 0 to event 2999.",
             expect={"system_contains": "You summarise coding sessions",
                     "last_user_contains": "Instructions for this summary: the event count"}),
        step(text="There are 3000 events.",
             expect={"first_user_contains": "3000 events", "tool_result_contains": "Compaction scheduled",
                     "messages_at_most": 5}),
    ]
    with ScriptedServer(script) as server:
        result = run_chapter("s06_context_compact", "-q", "How many events are in log.txt?", cwd=tmp_path,
                             env={"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url})
    server.assert_done()  # every step used: the summary request and the compacted one passed their checks
    assert (result.returncode, result.stdout) == (0, "There are 3000 events.\n"), result.stderr
    [transcript] = (tmp_path / ".harness" / "transcripts").glob("*.jsonl")
    saved = [json.loads(line) for line in transcript.read_text(encoding="utf-8").splitlines()]
    assert [m["role"] for m in saved] == ["user", "assistant"] * 3 + ["user"]
    assert saved[-2]["content"][0]["name"] == "compact"
    assert (tmp_path / ".harness" / ".gitignore").read_text(encoding="utf-8") == "*\n"


@pytest.mark.parametrize("argv, expected", [
    ([], 150_000), (["--demo"], DEMO_BUDGET), (["--context-budget", "0"], 0),
    (["--context-budget", "40_000", "--demo"], 40_000), (["--context-budget", "12,000"], 12_000),
])
def test_the_budget_comes_from_the_command_line(argv, expected):
    assert context_budget(parse_args(CHAPTER, argv)) == expected


def test_a_negative_budget_is_refused(capsys):
    with pytest.raises(SystemExit):
        parse_args(CHAPTER, ["--context-budget", "-5"])
    assert "must be 0" in capsys.readouterr().err
    assert context_budget(argparse.Namespace()) == 150_000


def test_first_user_contains_checks_the_first_message():
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": "summary here"}]},
                         {"role": "assistant", "content": "ok"}, {"role": "user", "content": "next"}]}
    assert Expect(first_user_contains="summary").problems(body) == []
    assert Expect(first_user_contains="next").problems(body) == [
        "expected the first message to contain 'next', saw 'summary here'"]
