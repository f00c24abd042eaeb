"""s11 end to end: its command line, the real SDK, the scripted model failing on purpose."""

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import Fault, ScriptedServer, step


def test_demo_survives_a_529_storm_a_cut_stream_and_max_tokens():
    result = run_chapter("s11_error_recovery", "--demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "529 overloaded · retry 1/8 in 2 s" in out and "529 overloaded · retry 2/8 in 1 s" in out
    assert "switching from scripted-demo to the fallback model scripted-fallback" in out
    assert "the reply broke off mid-stream" in out and "stream broke (RemoteProtocolError) · retry 1/8" in out
    assert "cut off by max_tokens" in out and "asking the model to continue (1/3)" in out
    assert "OK" in out and "All tests pass" in out


def query(tmp_path, script, *args):
    with ScriptedServer(script) as server:
        env = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url}
        result = run_chapter("s11_error_recovery", "-q", "Write done.txt.", "--permission-mode", "bypassPermissions",
                             *args, cwd=tmp_path, env=env)
    return result, server


def test_query_retries_an_overload_and_an_error_event_then_does_the_task(tmp_path):
    script = [Fault(status=529, retry_after=0.01),
              step(tool_use=[{"name": "write_file", "input": {"path": "done.txt", "content": "done\n"}}]),
              Fault(error_event="overloaded_error", expect={"tool_result_contains": "done.txt"}),
              step("Wrote done.txt.")]
    result, server = query(tmp_path, script)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Wrote done.txt.\n"
    assert (tmp_path / "done.txt").read_text(encoding="utf-8") == "done\n"
    assert "529 overloaded · retry 1/8 in 0.01 s" in result.stderr  # -q: plain lines on stderr
    assert "529 overloaded (error event mid-stream) · retry 1/8" in result.stderr
    assert len(server.requests) == 4  # the SDK's own retries are off: every retry is ours, and shown
    server.assert_done()


def test_query_with_a_bad_key_stops_with_one_line(tmp_path):
    result, server = query(tmp_path, [Fault(status=401, message="invalid x-api-key")])
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        "stopped: 401 authentication_error: invalid x-api-key (check ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN) "
        "(not retried)")
    assert "Traceback" not in result.stderr and len(server.requests) == 1


def test_help_offers_the_fallback_model_without_loading_the_sdk():
    result = run_chapter("s11_error_recovery", "--help", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0 and "--fallback-model ID" in result.stdout
    assert "import time:" in result.stderr and "anthropic" not in result.stderr and "httpx2" not in result.stderr
