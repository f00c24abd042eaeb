"""The command line: the demo, `-q --scenario` with a server, a broken .mcp.json, -q and approval."""

from __future__ import annotations

import json

from s01_agent_loop.cli.testing import run_chapter, tagged, wait_until

SCENARIO = """title: count with the server
steps:
  - model:
      expect: {tools: [mcp__wordstats__word_count, bash]}
      tool_use: [{name: mcp__wordstats__word_count, input: {path: texts/lighthouse.txt}}]
  - model:
      expect: {tool_result_contains: "59 words"}
      text: "59 words."
"""


def test_the_demo_plays_to_the_end_and_leaves_no_process(tmp_path, tag):
    # the demo's .mcp.json passes WORDSTATS_NOTE on to the server: a tag to find it by
    result = run_chapter("s19_mcp_plugin", "--demo", cwd=tmp_path, env={"WORDSTATS_NOTE": tag})
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert "DEMO: a scripted model" in out and "only the model's words are scripted" in out
    assert "mcp: wordstats connected" in out and "texts/lighthouse.txt: 59 words, 9 lines" in out
    assert "denied by the rule mcp__wordstats__add_text" in out and "[image]" in out
    assert "confirm" not in out  # approved in the overlay: the demo does not stop to ask
    assert wait_until(lambda: not tagged(tag, "WORDSTATS_NOTE"), 10)


def test_q_with_a_scenario_and_an_approved_project_server(project, tag, entries):
    (project / ".mcp.json").write_text(json.dumps({"mcpServers": {"wordstats": entries.wordstats()}}), encoding="utf-8")
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.local.json").write_text(json.dumps({"enabledMcpjsonServers": ["wordstats"]}),
                                                            encoding="utf-8")
    (project / "count.yaml").write_text(SCENARIO, encoding="utf-8")
    result = run_chapter("s19_mcp_plugin", "-q", "count", "--scenario", "count.yaml", "--permission-mode",
                         "bypassPermissions", cwd=project)
    assert (result.returncode, result.stdout) == (0, "59 words.\n"), result.stderr
    assert wait_until(lambda: not tagged(tag), 10)


def test_q_refuses_an_unapproved_project_server_with_a_clear_line(project, tag, entries):
    (project / ".mcp.json").write_text(json.dumps({"mcpServers": {"wordstats": entries.wordstats()}}), encoding="utf-8")
    (project / "hi.yaml").write_text("title: hi\nsteps:\n  - model:\n      expect: {tools_absent: [mcp__wordstats__word_count]}"
                                     "\n      text: hello\n", encoding="utf-8")
    result = run_chapter("s19_mcp_plugin", "-q", "hi", "--scenario", "hi.yaml", cwd=project)
    assert (result.returncode, result.stdout) == (0, "hello\n"), result.stderr
    assert "the project server 'wordstats' in .mcp.json is not approved, so it is not started" in result.stderr
    assert not tagged(tag)  # never started


def test_a_broken_mcp_json_stops_with_one_line_naming_the_file(tmp_path):
    (tmp_path / ".mcp.json").write_text('{"mcpServers": {"x": {"command": "a",}}}', encoding="utf-8")
    (tmp_path / "none.yaml").write_text("title: t\nsteps: []\n", encoding="utf-8")
    result = run_chapter("s19_mcp_plugin", "-q", "hi", "--scenario", "none.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "s19_mcp_plugin: .mcp.json: line 1 column 38: not valid JSON (Expecting property name enclosed in double quotes)"]


def test_help_does_not_import_mcp(tmp_path):
    result = run_chapter("s19_mcp_plugin", "--help", cwd=tmp_path,
                         env={"PYTHONWARNINGS": "ignore", "PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0 and "--mcp-config FILE" in result.stdout
    assert " mcp" not in {line.split("|")[-1].rstrip() for line in result.stderr.splitlines()}


def test_sigterm_stops_the_harness_and_its_servers(project, tag, entries):
    import signal
    import subprocess
    import sys

    (project / "idle.yaml").write_text("title: idle\nsteps: []\n", encoding="utf-8")
    config = project.parent / "servers.json"
    config.write_text(json.dumps({"mcpServers": {"wordstats": entries.wordstats()}}), encoding="utf-8")
    harness = subprocess.Popen([sys.executable, "-m", "s19_mcp_plugin", "--scenario", "idle.yaml", "--mcp-config",
                                str(config)], cwd=project, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**__import__("os").environ, "HARNESS_NO_DOTENV": "1"})
    try:
        assert wait_until(lambda: tagged(tag), 30)  # the server runs while the REPL waits for a prompt
        harness.send_signal(signal.SIGTERM)
        _, err = harness.communicate(timeout=30)
        assert harness.returncode == 128 + signal.SIGTERM and b"stopped by SIGTERM" in err
        assert wait_until(lambda: not tagged(tag), 10)
    finally:
        harness.kill()



def test_a_malformed_server_is_one_line_on_screen_not_a_traceback(project, entries):
    config = project.parent / "servers.json"
    config.write_text(json.dumps({"mcpServers": {"bad": entries.faulty("malformed")}}), encoding="utf-8")
    (project / "hi.yaml").write_text("title: hi\nsteps:\n  - model:\n      text: hello\n", encoding="utf-8")
    result = run_chapter("s19_mcp_plugin", "-q", "hi", "--scenario", "hi.yaml", "--mcp-config", str(config), cwd=project)
    assert (result.returncode, result.stdout) == (0, "hello\n"), result.stderr
    assert "mcp: bad failed: sent a malformed message" in result.stderr and "Traceback" not in result.stderr
