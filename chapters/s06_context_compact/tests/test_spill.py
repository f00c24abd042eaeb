"""Large outputs spilled to `.harness/tool-outputs/` with a preview; the state folder git ignores;
token estimates and the API's count."""

import tempfile
from types import SimpleNamespace

import pytest

from s01_agent_loop import AgentConfig
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use import Harness
from s02_tool_use.state import state_dir
from s02_tool_use.wiring import TOOLS
from s06_context_compact import CompactionConfig, Compactor, ContextMeter, estimate_tokens
from s06_context_compact.spill import preview
from s06_context_compact.tokens import counted_tokens, parts_of

BIG = "".join(f"line {i:04d} of the big file\n" for i in range(1, 2001))  # 2,000 lines, ~52,000 chars


def run_read(tmp_path, **config):
    (tmp_path / "big.txt").write_text(BIG, encoding="utf-8")
    model = ScriptedModel([tool_use("read_file", path="big.txt", limit=2000), text("done")])
    agent = Harness(model, AgentConfig(model="m"), tmp_path, tools=TOOLS,
                    extensions=[Compactor(CompactionConfig(**config))])
    agent.run("read big.txt")
    return agent, model


def test_a_large_output_goes_to_a_file_and_the_model_gets_head_tail_and_path(tmp_path):
    agent, model = run_read(tmp_path)
    call_id = agent.messages[1]["content"][0]["id"]
    content = model.calls[1]["messages"][2]["content"][0]["content"]
    saved = tmp_path / ".harness" / "tool-outputs" / f"{call_id}.txt"
    assert f"Full output saved to: .harness/tool-outputs/{call_id}.txt" in content
    assert saved.read_text(encoding="utf-8").count("\n") == 1999  # read_file's whole output, numbered
    assert "line 0001 of the big file" in content and "line 2000 of the big file" in content
    assert "line 1000 of the big file" not in content and "lines not shown" in content
    assert f'read_file(path=".harness/tool-outputs/{call_id}.txt", offset=N, limit=M)' in content
    assert len(content) < 4_000
    assert not list(saved.parent.glob(".*.tmp"))  # written through a temp file, renamed, nothing left


def test_spilling_is_atomic_and_a_failed_write_keeps_the_output(tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("s02_tool_use.files.os.replace", broken_replace)
    _, model = run_read(tmp_path)
    assert [p for p in (tmp_path / ".harness").rglob("*") if p.is_file()] == []  # nothing half-written
    assert "line 1000 of the big file" in model.calls[1]["messages"][2]["content"][0]["content"]


def test_small_outputs_and_spill_chars_zero_are_left_alone(tmp_path):
    _, model = run_read(tmp_path, spill_chars=0)
    assert "line 1000 of the big file" in model.calls[1]["messages"][2]["content"][0]["content"]
    assert not (tmp_path / ".harness" / "tool-outputs").exists()


def test_preview_counts_lines_and_cuts_at_line_ends():
    output = "\n".join(f"row {i}" for i in range(1, 1001))
    shown = preview(output, ".harness/tool-outputs/x.txt", head_chars=30, tail_chars=20)
    assert shown.splitlines() == [
        "<persisted-output>",
        "Output too large (7.9KB). Full output saved to: .harness/tool-outputs/x.txt",
        "",
        "Preview (lines 1-5 and 999-1,000 of 1,000):",
        "row 1", "row 2", "row 3", "row 4", "row 5",
        "[... 993 lines not shown ...]",
        "row 999", "row 1000",
        "",
        'Read the rest with read_file(path=".harness/tool-outputs/x.txt", offset=N, limit=M) or grep it, '
        "rather than running the command again.",
        "</persisted-output>",
    ]


def test_the_state_folder_is_ignored_by_git(tmp_path):
    folder = state_dir(tmp_path)
    assert folder == tmp_path / ".harness" and (folder / ".gitignore").read_text(encoding="utf-8") == "*\n"
    (folder / ".gitignore").write_text("*\n!keep\n", encoding="utf-8")
    state_dir(tmp_path)  # an existing .gitignore is left as the user made it
    assert (folder / ".gitignore").read_text(encoding="utf-8") == "*\n!keep\n"


# --- tokens -----------------------------------------------------------------------------------


def test_estimates_are_about_four_characters_per_token():
    assert estimate_tokens("twelve chars") == 3
    assert estimate_tokens({"type": "text", "text": "x" * 400}) == 107  # the JSON around it counts too
    request = {"system": "s" * 40, "tools": [], "messages": [
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "a", "name": "bash", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "a", "content": "y" * 800}]}]}
    parts = parts_of(request)
    assert (parts.system, parts.tools) == (10, 1) and 200 < parts.tool_results < 220 and parts.messages > 20


@pytest.mark.parametrize("usage, expected", [
    (None, 0),
    (SimpleNamespace(input_tokens=120), 120),
    (SimpleNamespace(input_tokens=20, cache_read_input_tokens=900, cache_creation_input_tokens=80), 1000),
    (SimpleNamespace(input_tokens=20, cache_read_input_tokens=None, cache_creation_input_tokens=None), 20),
])
def test_the_api_count_adds_the_cached_parts(usage, expected):
    assert counted_tokens(usage) == expected


def test_the_meter_starts_from_the_api_count_and_adds_estimates_since():
    agent = SimpleNamespace(messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}]}])
    sent = {"system": "s", "tools": [], "messages": list(agent.messages)}
    meter = ContextMeter()
    meter.record(sent, SimpleNamespace(input_tokens=5, cache_read_input_tokens=995))
    assert meter.measured and meter.tokens(agent) == 1000
    agent.messages.append({"role": "assistant", "content": [{"type": "text", "text": "z" * 4000}]})
    grown = meter.tokens(agent)
    assert 1000 + 1000 <= grown <= 1000 + 1020
    meter.forget()  # after a rewrite: estimates only, the system prompt and tools included
    assert not meter.measured and meter.tokens(agent) == estimate_tokens("s") + estimate_tokens([]) \
        + estimate_tokens(agent.messages)


@pytest.fixture
def private_temp(tmp_path, monkeypatch):
    """A temp folder of this test's own, where the shell's output files go."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_the_saved_file_holds_every_line_the_shell_printed(tmp_path, private_temp):
    """s01's shell caps what it returns at 30,000 characters; the spill must not save that cap."""
    from s02_tool_use.bash import BASH

    model = ScriptedModel([tool_use("bash", command="seq 1 200000; exit 3"), text("done")])
    agent = Harness(model, AgentConfig(model="m"), tmp_path, tools=[BASH], extensions=[Compactor()])
    agent.run("count")
    result = model.calls[1]["messages"][-1]["content"][0]["content"]
    saved = tmp_path / ".harness" / "tool-outputs"
    [path] = list(saved.iterdir())
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == [str(n) for n in range(1, 200_001)]  # all 200,000 lines, not the cut text
    assert "Preview (lines 1-" in result and "of 200,000)" in result and result.endswith("[exit code 3]")
    assert "\n1\n2\n" in result and "\n200000\n" in result
    assert list(private_temp.iterdir()) == []  # moved, not copied and left behind


def test_a_cut_output_nobody_keeps_is_deleted(tmp_path, private_temp):
    from s02_tool_use.bash import BASH

    model = ScriptedModel([tool_use("bash", command="seq 1 200000"), text("done")])
    Harness(model, AgentConfig(model="m"), tmp_path / "temp", tools=[BASH]).run("count")  # no Compactor
    assert list(private_temp.iterdir()) == []
    assert "bytes cut ...]" in model.calls[1]["messages"][-1]["content"][0]["content"]
