"""MCP servers as tools, against real server processes: results, the gate, hooks, spill, failures."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time

import pytest
from rich.console import Console

from s01_agent_loop.cli.testing import build_agent, slash, tagged, wait_until
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s19_mcp_plugin.plugin import McpPlugin
from s19_mcp_plugin.wiring import CHAPTER

LIGHTHOUSE = {"path": "texts/lighthouse.txt"}


def agent_for(project, servers: dict, script: list, *argv: str, env_timeout: str | None = None, monkeypatch=None):
    """This chapter's agent on a scripted model, with `servers` given by --mcp-config."""
    if env_timeout and monkeypatch:
        monkeypatch.setenv("MCP_TIMEOUT", env_timeout)
    config = project.parent / "servers.json"
    config.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")
    model = ScriptedModel(script)
    agent = build_agent(CHAPTER, project, model, "--mcp-config", str(config), *argv)
    return agent, model


def results(agent) -> list[dict]:
    return [b for m in agent.messages if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]


def test_an_mcp_servers_tools_run_beside_the_native_ones(project, tag, entries):
    agent, model = agent_for(project, {"wordstats": entries.wordstats()}, [
        tool_use("mcp__wordstats__word_count", **LIGHTHOUSE), tool_use("mcp__wordstats__top_words", n=2, **LIGHTHOUSE),
        tool_use("mcp__wordstats__word_chart", **LIGHTHOUSE), tool_use("mcp__wordstats__word_count", path="nope"),
        tool_use("read_file", **LIGHTHOUSE), text("done")], "--permission-mode", "bypassPermissions")
    try:
        assert agent.run("go") == "done"
        tools = {tool["name"]: tool for tool in model.calls[0]["tools"]}
        assert tools["mcp__wordstats__top_words"]["input_schema"]["properties"]["n"]["default"] == 5  # passed through
        assert {"read_file", "ListMcpResourcesTool", "ReadMcpResourceTool"} <= tools.keys()
        facts = agent.tools.tools
        assert facts["mcp__wordstats__word_count"].read_only and not facts["mcp__wordstats__add_text"].read_only
        count, top, chart, wrong, _ = results(agent)
        assert count["content"] == "texts/lighthouse.txt: 59 words, 9 lines"
        assert json.loads(top["content"]) == {"the": 10, "and": 4}  # structured content
        [image] = chart["content"]  # an image block, no empty text
        assert image["type"] == "image" and image["source"]["media_type"] == "image/png"
        assert wrong["is_error"] and "no text at 'nope'" in wrong["content"]
        assert len(tagged(tag)) == 1
    finally:
        agent.close()
    assert not tagged(tag)  # close() ended the server process


def test_rules_and_a_pre_tool_use_hook_meet_mcp_calls(project, tag, entries):
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.json").write_text(json.dumps({
        "permissions": {"allow": ["mcp__wordstats__*"], "deny": ["mcp__wordstats__add_text"]},
        "hooks": {"PreToolUse": [{"matcher": "mcp__.*__top_words", "hooks": [
            {"type": "command", "command": f"{sys.executable} -c \"import sys; sys.stderr.write('no top words'); sys.exit(2)\""}]}]},
    }), encoding="utf-8")
    agent, model = agent_for(project, {"wordstats": entries.wordstats()}, [
        tool_use("mcp__wordstats__word_count", **LIGHTHOUSE), tool_use("mcp__wordstats__add_text", name="x", content="y"),
        tool_use("mcp__wordstats__top_words", **LIGHTHOUSE), text("done")])
    try:
        agent.run("go")
        allowed, denied, hooked = results(agent)
        assert allowed["content"].startswith("texts/lighthouse.txt: 59 words") and not allowed.get("is_error")
        assert denied["is_error"] and "denied by the rule mcp__wordstats__add_text" in denied["content"]
        assert hooked["is_error"] and "no top words" in hooked["content"]
        assert not (project / "texts" / "x.txt").exists()
    finally:
        agent.close()


def test_with_no_rule_default_mode_asks_and_with_no_terminal_that_is_a_denial(project, tag, entries):
    agent, _ = agent_for(project, {"wordstats": entries.wordstats()}, [
        tool_use("mcp__wordstats__word_count", **LIGHTHOUSE), text("done")])
    try:
        agent.run("go")
        [result] = results(agent)
        assert result["is_error"] and "needs the user's approval" in result["content"]
    finally:
        agent.close()


def test_a_big_result_is_spilled_by_s06(project, tag, entries):
    agent, _ = agent_for(project, {"f": entries.faulty("crashes")}, [tool_use("mcp__f__big"), text("done")],
                         "--permission-mode", "bypassPermissions")
    try:
        agent.run("go")
        [result] = results(agent)
        assert "<persisted-output>" in result["content"] and "line 0: xxx" in result["content"]
        saved = next((project / ".harness" / "tool-outputs").glob("*.txt")).read_text(encoding="utf-8")
        assert saved.count("\n") == 999
    finally:
        agent.close()


def test_a_server_that_dies_mid_call_is_reported_removed_and_reconnected_on_the_next_use(project, tag, entries):
    agent, model = agent_for(project, {"f": entries.faulty("crashes")}, [
        tool_use("mcp__f__pid"), tool_use("mcp__f__crash"), text("it died"),
        tool_use("mcp__f__pid"), text("back")], "--permission-mode", "bypassPermissions")
    try:
        assert agent.run("go") == "it died"
        first, crashed = results(agent)
        assert crashed["is_error"] and "stopped answering" in crashed["content"]
        assert "mcp__f__pid" not in model.calls[2]["tools"].__str__()  # its tools removed at the next request
        assert any("f failed" in line for line in map(str, agent.view.items))
        assert wait_until(lambda: not tagged(tag), 10)  # the dead server left nothing behind
        assert agent.run("again") == "back"  # the next use reconnects it
        again = results(agent)[-1]
        assert not again.get("is_error") and again["content"] != first["content"]  # a new process
        assert "mcp__f__pid" in str(model.calls[-1]["tools"])
    finally:
        agent.close()


def test_a_connected_server_that_sends_garbage_mid_call_fails_the_call_at_once(project, tag, entries):
    agent, model = agent_for(project, {"f": entries.faulty("garbles")}, [
        tool_use("mcp__f__garble"), text("it broke")], "--permission-mode", "bypassPermissions")
    began = time.monotonic()
    try:
        assert agent.run("go") == "it broke"
        assert time.monotonic() - began < 20  # not the call's 600 s timeout
        [garbled] = results(agent)
        assert garbled["is_error"] and "sent a malformed message" in garbled["content"], garbled
        assert McpPlugin.of(agent).servers.servers["f"].status == "failed"
        assert any("f failed: sent a malformed message" in line for line in map(str, agent.view.items))
        assert wait_until(lambda: not tagged(tag), 10)  # the broken server's process is gone
    finally:
        agent.close()


@pytest.mark.parametrize("mode, reported", [("silent", "no answer within 5 s"), ("malformed", "sent a malformed message")])
def test_a_server_that_never_answers_or_talks_nonsense_is_reported_and_the_agent_goes_on(
        project, tag, entries, monkeypatch, mode, reported):
    agent, model = agent_for(project, {"bad": entries.faulty(mode), "wordstats": entries.wordstats()}, [
        tool_use("mcp__wordstats__word_count", **LIGHTHOUSE), text("done")],
        "--permission-mode", "bypassPermissions", env_timeout="5000", monkeypatch=monkeypatch)
    began = time.monotonic()
    try:
        assert agent.run("go") == "done"
        assert time.monotonic() - began < 20  # no hang
        plugin = McpPlugin.of(agent)
        assert plugin.servers.servers["bad"].status == "failed"
        assert any(f"bad {reported}" in line or ("bad failed" in line and reported in line)
                   for line in map(str, agent.view.items)), agent.view.texts
        assert not any(name.startswith("mcp__bad") for name in agent.tools.tools)
        assert results(agent)[0]["content"].startswith("texts/lighthouse.txt")
    finally:
        agent.close()


def test_slash_mcp_lists_servers_status_and_tools(project, tag, entries, monkeypatch):
    agent, _ = agent_for(project, {"wordstats": entries.wordstats(), "bad": entries.faulty("silent")}, [text("hi")],
                         env_timeout="5000", monkeypatch=monkeypatch)
    try:
        agent.run("hello")
        out = io.StringIO()
        slash(agent, "/mcp", Console(file=out, width=80))
        shown = out.getvalue()
        assert "wordstats" in shown and "connected" in shown and "word_count (read-only)" in shown, shown
        assert "add_text" in shown and "add_text (read-only)" not in shown, shown and "bad" in shown and "no answer within 5 s" in shown
    finally:
        agent.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_streamable_http_against_the_sample_server_on_loopback(project, tag, entries):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "s19_mcp_plugin.server", "--http", str(port), "--root", str(project)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def up():
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        assert wait_until(up, 20)
        entry = {"type": "http", "url": f"http://127.0.0.1:{port}/mcp", "headers": {"X-Test": "${TEST_TAG:-yes}"}}
        agent, _ = agent_for(project, {"web": entry}, [
            tool_use("mcp__web__word_count", **LIGHTHOUSE), tool_use("ReadMcpResourceTool", server="web", uri="wordstats://texts"),
            text("done")], "--permission-mode", "bypassPermissions")
        try:
            agent.run("go")
            count, resource = results(agent)
            assert count["content"] == "texts/lighthouse.txt: 59 words, 9 lines"
            assert resource["content"] == "texts/lighthouse.txt"
        finally:
            agent.close()
    finally:
        server.terminate()
        server.wait(10)


def test_a_third_party_server_from_the_package_index(project, tag, entries):
    """`uv tool install mcp-server-time` (code nobody here wrote); skipped when it is absent."""
    import shutil

    command = shutil.which("mcp-server-time") or shutil.which("mcp-server-time", path="/root/.local/bin")
    if command is None:
        pytest.skip("mcp-server-time is not installed (uv tool install mcp-server-time)")
    entry = {"type": "stdio", "command": command, "args": ["--local-timezone", "UTC"], "env": {"TEST_TAG": tag}}
    agent, model = agent_for(project, {"time": entry}, [
        tool_use("mcp__time__convert_time", source_timezone="UTC", time="12:00", target_timezone="Asia/Tokyo"),
        text("done")], "--permission-mode", "bypassPermissions")
    try:
        agent.run("go")
        [result] = results(agent)
        assert not result.get("is_error") and "21:00" in result["content"], result
        assert "mcp__time__get_current_time" in str(model.calls[0]["tools"])
    finally:
        agent.close()


def test_a_subagent_uses_its_parents_mcp_tools(project, tag, entries):
    agent, model = agent_for(project, {"wordstats": entries.wordstats()}, [
        text("looking"),
        tool_use("Task", description="count", prompt="Count the words of texts/lighthouse.txt"),
        tool_use("mcp__wordstats__word_count", **LIGHTHOUSE), text("59 words"), text("done")],
        "--permission-mode", "bypassPermissions")
    try:
        agent.run("hi")
        assert agent.run("count, with a subagent") == "done"
        child_request = model.calls[2]
        names = [tool["name"] for tool in child_request["tools"]]
        assert "mcp__wordstats__word_count" in names and "Task" not in names
        assert "59 words, 9 lines" in str(model.calls[3]["messages"][-1])
    finally:
        agent.close()
