"""The slash commands `/context` and `/compact [focus]`, as the REPL runs them."""

import io

import anthropic
import httpx2
from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, slash
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use import Extension, Harness
from s02_tool_use.wiring import TOOLS
from s06_context_compact import CompactionConfig, Compactor


class PreCompactCounter(Extension):
    def __init__(self):
        self.seen = []

    def on_event(self, agent, event, data):
        if event == "PreCompact":
            self.seen.append(data)


def console() -> Console:
    return Console(file=io.StringIO(), width=120, color_system=None)


def agent_after_two_turns(tmp_path, script, budget=20_000):
    (tmp_path / "notes.txt").write_text("note\n" * 300, encoding="utf-8")
    turn = [tool_use("read_file", path="notes.txt"), text("read")]
    model = ScriptedModel([*turn, *turn, *script])
    counter = PreCompactCounter()
    agent = Harness(model, AgentConfig(model="m"), tmp_path, RecordingView(), tools=TOOLS,
                    extensions=[counter, Compactor(CompactionConfig(budget=budget))])
    agent.run("read notes.txt")
    agent.run("read it again")
    return agent, model, counter


def test_context_shows_each_part_and_the_budget(tmp_path):
    agent, _, _ = agent_after_two_turns(tmp_path, [])
    out = console()
    slash(agent, "/context", out)
    screen = out.file.getvalue()
    assert "context: " in screen and "the API's count of the last request" in screen
    for part in ("system prompt", "tools", "messages", "tool results", "free", "budget"):
        assert part in screen
    assert "20,000" in screen and "100.0%" in screen
    tool_results = next(line for line in screen.splitlines() if line.strip().startswith("tool results"))
    tokens, share = tool_results.split()[-2:]
    assert int(tokens.replace(",", "")) > 500 and share.endswith("%") and float(share[:-1]) > 2.5
    assert "cleared past 50%" in screen and "summary past 80%" in screen


def test_context_without_a_budget_shows_shares_of_what_is_used(tmp_path):
    agent, _, _ = agent_after_two_turns(tmp_path, [], budget=0)
    out = console()
    slash(agent, "/context", out)
    screen = out.file.getvalue()
    assert "of used" in screen and "free" not in screen and "automatic clearing and compaction are off" in screen


def test_compact_command_summarises_with_the_focus_and_says_how_much_it_saved(tmp_path):
    agent, model, counter = agent_after_two_turns(tmp_path, [text("SUMMARY: read notes.txt, 300 lines.")])
    slash(agent, "/compact keep the line count", console())
    model.assert_done()
    assert "Instructions for this summary: keep the line count" in model.calls[-1]["messages"][0]["content"][0]["text"]
    assert counter.seen == [{"trigger": "manual", "focus": "keep the line count"}]
    assert "SUMMARY: read notes.txt" in agent.messages[0]["content"][0]["text"]
    [line] = [item for item in agent.view.texts if "compacted:" in item]
    before, after = (int(n.replace(",", "")) for n in line.split("compacted: ")[1].split(" tokens")[0].split(" → "))
    assert after < before and ".harness/transcripts/" in line


def test_compact_command_reports_an_api_error_and_keeps_the_history(tmp_path):
    down = anthropic.APIConnectionError(request=httpx2.Request("POST", "http://127.0.0.1/v1/messages"))
    agent, _, _ = agent_after_two_turns(tmp_path, [down])
    history = [dict(m) for m in agent.messages]
    out = console()
    slash(agent, "/compact", out)
    assert "compaction failed, the history is unchanged" in out.file.getvalue()
    assert agent.messages == history


def test_compact_command_keeps_the_history_when_the_summary_would_not_be_shorter(tmp_path):
    agent, _, counter = agent_after_two_turns(tmp_path, [text("A summary far longer than the message it replaces. " * 20)])
    history = [dict(m) for m in agent.messages]
    agent.extensions[1].config.keep_messages = 6  # only the first prompt would go
    slash(agent, "/compact", console())
    assert agent.messages == history
    assert any("compaction skipped" in item for item in agent.view.texts)
