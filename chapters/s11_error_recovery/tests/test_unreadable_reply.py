"""A reply the SDK cannot parse (a streamed tool input that is not valid JSON): retried like a
stream cut mid-way, then the usual give-up line; never a traceback. The real SDK, on loopback."""

from __future__ import annotations

import io

from rich.console import Console

from s01_agent_loop.agent import AgentConfig
from s01_agent_loop.cli import Session, parse_args
from s01_agent_loop.cli.repl import submit
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.cli.testing import RecordingView, run_chapter
from s01_agent_loop.model import AnthropicModel, UnreadableReply
from s01_agent_loop.scripted import ScriptedServer, step
from s11_error_recovery import Recovery
from s11_error_recovery.failures import Action, classify
from s11_error_recovery.wiring import CHAPTER

TASK = "Write done.txt containing the word done."
# subtle: the server streams this input as `{"path": "done.txt", "content": "\ud800"}`, an escaped
# lone surrogate the SDK's JSON parser (jiter) refuses with a bare ValueError
UNPARSABLE = step("Writing it.", [{"name": "write_file", "input": {"path": "done.txt", "content": "\ud800"}}])
FINISH = [step("Writing it.", [{"name": "write_file", "input": {"path": "done.txt", "content": "done\n"}}]),
          step("Done.", expect={"tool_result_contains": "done.txt"})]
LABEL = "unreadable reply (the SDK could not parse it)"


def build(server: ScriptedServer, workdir):
    """The chapter's agent in-process on the real SDK; Recovery's waits recorded, not waited."""
    args = parse_args(CHAPTER, ["--permission-mode", "bypassPermissions"])
    model = AnthropicModel(Settings(api_key="scripted", base_url=server.url, model="claude-main"), CHAPTER.model_retries)
    view = RecordingView()
    agent = CHAPTER.build(Session(model, AgentConfig(model="claude-main"), workdir, view, args, interactive=False))
    waits: list[float] = []
    recovery = Recovery.of(agent)
    recovery.sleep, recovery.rng = waits.append, lambda: 0.5
    return agent, view, waits


def test_an_unreadable_reply_is_a_retryable_mid_stream_failure_and_a_bare_value_error_is_not():
    failure = classify(UnreadableReply("the reply could not be read"))
    assert (failure.action, failure.label, failure.mid_stream) == (Action.RETRY, LABEL, True)
    assert classify(ValueError("a bug of ours")) is None  # never retried: it must surface as it is


def test_an_unparsable_tool_input_is_retried_and_the_task_done(tmp_path):
    with ScriptedServer([UNPARSABLE, *FINISH]) as server:
        agent, view, waits = build(server, tmp_path)
        out = io.StringIO()
        answer = submit(CHAPTER, agent, TASK, Console(file=out, width=300))
    server.assert_done()
    assert answer == "Done."
    assert (tmp_path / "done.txt").read_text(encoding="utf-8") == "done\n"
    assert waits == [0.5]
    seen = "\n".join(view.texts)
    assert f"{LABEL} · retry 1/8" in seen and "the reply broke off mid-stream" in seen
    assert len(server.requests) == 3 and server.requests[0] == server.requests[1]  # the same request again


def test_unparsable_replies_until_the_retries_run_out_give_up_with_one_line(tmp_path):
    with ScriptedServer([UNPARSABLE] * 9 + FINISH) as server:
        agent, _, waits = build(server, tmp_path)
        out = io.StringIO()
        console = Console(file=out, width=300)
        answers = [submit(CHAPTER, agent, TASK, console) for _ in range(2)]
    server.assert_done()
    assert answers == [None, "Done."]  # the conversation was kept: the next prompt does the task
    assert len(waits) == 8
    lines = [line for line in out.getvalue().splitlines() if "stopped:" in line]
    assert lines == [f"stopped: gave up after 8 retries: {LABEL} (the conversation is kept: send a prompt to "
                     "try again)"]


def test_from_the_command_line_it_is_retried_without_a_traceback(tmp_path):
    with ScriptedServer([UNPARSABLE, *FINISH]) as server:
        env = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url}
        result = run_chapter("s11_error_recovery", "-q", TASK, "--permission-mode", "bypassPermissions",
                             cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout) == (0, "Done.\n"), result.stderr
    assert f"{LABEL} · retry 1/8" in result.stderr and "Traceback" not in result.stderr
    server.assert_done()
