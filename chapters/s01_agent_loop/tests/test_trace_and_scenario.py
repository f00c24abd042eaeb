"""Learning without a key: `--scenario` for your own scripts, `--trace` and `trace-view` to see what
the model sees, `/messages`, and demo scratch folders that do not pile up."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.cli.trace import read_trace
from s01_agent_loop.cli.trace_view import render

SCENARIO = """title: my first scenario
steps:
  - model:
      text: "Let me look."
      tool_use: [{name: bash, input: {command: "ls"}}]
  - model:
      text: "There is a notes.txt here."
      expect: {tool_result_contains: "notes.txt"}
"""


def test_q_runs_against_a_scenario_written_here_with_no_key(tmp_path):
    (tmp_path / "notes.txt").write_text("hi\n", encoding="utf-8")
    (tmp_path / "my.yaml").write_text(SCENARIO, encoding="utf-8")
    result = run_chapter("s01_agent_loop", "-q", "what is here?", "--scenario", "my.yaml", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "There is a notes.txt here.\n"), result.stderr


def test_when_the_scenario_runs_out_the_repl_says_which_step_and_goes_on(tmp_path):
    (tmp_path / "notes.txt").write_text("hi\n", encoding="utf-8")
    (tmp_path / "my.yaml").write_text(SCENARIO, encoding="utf-8")
    result = run_chapter("s01_agent_loop", "--scenario", "my.yaml", cwd=tmp_path,
                         stdin="what is here?\nand then?\n/messages\n/exit\n")
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "There is a notes.txt here." in out
    assert "model error: 400 scripted model: the script has no step left for request #3" in out
    assert "assistant" in out and "tool_result" in out  # /messages after the failure: the REPL goes on


def test_a_trace_holds_every_request_as_sent_and_the_page_marks_rewrites(tmp_path):
    """s06's demo compacts: the page shows a request whose earlier messages were rewritten."""
    result = run_chapter("s06_context_compact", "--demo", "--trace", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [trace] = list((tmp_path / ".harness" / "traces").glob("*.jsonl"))
    records = read_trace(trace)
    requests = [r for r in records if r["kind"] == "request"]
    replies = [r for r in records if r["kind"] == "reply"]
    assert len(requests) == len(replies) > 5
    loop_requests = [r for r in requests if r["request"].get("tools")]  # the others: summary requests
    assert len(loop_requests) < len(requests) and all(isinstance(r["request"]["system"], list) for r in loop_requests)
    page = render(records, trace.name)
    assert page.count('<section id="r') == len(requests)
    assert "· rewritten ·" in page  # compaction rewrote the history
    assert "· appended ·" in page


def test_the_s10_trace_shows_breakpoints_and_the_cache_share(tmp_path):
    result = run_chapter("s10_system_prompt", "--demo", "--trace", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [trace] = list((tmp_path / ".harness" / "traces").glob("*.jsonl"))
    page = render(read_trace(trace), trace.name)
    assert "◆ cache breakpoint" in page
    shares = [int(n) for n in re.findall(r"read from cache [\d,]+ \((\d+)%\)", page)]
    assert shares and max(shares) >= 80


def test_the_viewer_writes_a_page_beside_the_trace(tmp_path):
    run_chapter("s02_tool_use", "--demo", "--trace", cwd=tmp_path)
    [trace] = list((tmp_path / ".harness" / "traces").glob("*.jsonl"))
    result = subprocess.run([shutil.which("trace-view") or "trace-view", str(trace)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    page = trace.with_suffix(".html")
    assert page.is_file() and "Request #1" in page.read_text(encoding="utf-8")


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")), reason="no Chromium")
def test_the_page_opens_in_a_browser_and_shows_the_first_request(tmp_path):
    run_chapter("s01_agent_loop", "--demo", "--trace", cwd=tmp_path)
    [trace] = list((tmp_path / ".harness" / "traces").glob("*.jsonl"))
    page = tmp_path / "page.html"
    page.write_text(render(read_trace(trace), trace.name), encoding="utf-8")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=60).stdout
    assert "Request #1" in dom and "system" in dom


def test_demo_scratch_folders_are_removed_unless_kept(tmp_path):
    result = run_chapter("s01_agent_loop", "--demo", cwd=tmp_path)
    assert result.returncode == 0 and "kept at" not in result.stderr
    scratch = re.search(r"work dir: (\S+)", result.stdout).group(1)
    assert not Path(scratch).exists()
    result = run_chapter("s01_agent_loop", "--demo", "--keep", cwd=tmp_path)
    kept = Path(re.search(r"scratch project is kept at (\S+)", result.stderr).group(1))
    assert kept.is_dir()
    shutil.rmtree(kept)
