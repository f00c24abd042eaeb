"""Fault injection: every error class s11 handles, played by the scripted server to the real SDK.

Each case gives the agent one small task (write `done.txt`), makes the API or the network fail on
the way, and checks that the agent came through: the task done (or, for a failure that cannot be
recovered, one clear line and the next prompt doing it), the waits it made, what the user saw,
and a history the API would accept, with every scripted step used and no request rejected.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from rich.console import Console

from s01_agent_loop.agent import AgentConfig
from s01_agent_loop.cli import Session, parse_args
from s01_agent_loop.cli.repl import submit
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.model import AnthropicModel
from s01_agent_loop.scripted import Fault, ScriptedServer, check_request, step
from s11_error_recovery import Recovery
from s11_error_recovery.wiring import CHAPTER

TASK = "Write done.txt containing the word done."
WRITE = {"name": "write_file", "input": {"path": "done.txt", "content": "done\n"}}
FINISH = [step("Writing it.", [WRITE]), step("Done.", expect={"tool_result_contains": "done.txt"})]
SUMMARY = step("1. Request: write done.txt. 2. Done so far: looked around three times.",
               expect={"system_contains": "You summarise coding sessions"})
LOOK = [step(tool_use=[{"name": "bash", "input": {"command": f"seq {i} 600"}}]) for i in range(3)]
ONE_LINE = "(the conversation is kept: send a prompt to try again)"


@dataclass
class Case:
    script: list
    waits: list[float] = field(default_factory=list)
    """The seconds Recovery waited, in order (rng is fixed at 0.5, so backoff is half its ceiling)."""
    shown: list[str] = field(default_factory=list)
    """Lines the user must have seen (view notices and the command line's own)."""
    args: tuple[str, ...] = ()
    prompts: tuple[str, ...] = (TASK,)
    timeout: float | None = None


CASES = [
    pytest.param(Case([Fault(status=429, retry_after=3), *FINISH], [3.0], ["429 rate limited · retry 1/8 in 3 s"]),
                 id="429 rate limited: waits its retry-after, retries"),
    pytest.param(Case([Fault(status=529, retry_after=0.25), *FINISH], [0.25], ["529 overloaded · retry 1/8"]),
                 id="529 overloaded: retried"),
    pytest.param(Case([Fault(status=500), Fault(status=500), *FINISH], [0.5, 1.0], ["500 server error · retry 2/8"]),
                 id="500 server error: exponential backoff with jitter"),
    pytest.param(Case([Fault(drop=True), *FINISH], [0.5], ["connection error · retry 1/8"]),
                 id="connection dropped: retried"),
    pytest.param(Case([Fault(drop=True, delay=0.5), *FINISH], [0.5], ["request timed out · retry 1/8"], timeout=0.15),
                 id="request timed out: retried"),
    pytest.param(Case([step("Looking.", [WRITE]), Fault(cut_stream=True), step("Done.")], [0.5],
                      ["broke off mid-stream", "stream broke (RemoteProtocolError) · retry 1/8"]),
                 id="stream cut mid-way: the request is sent again"),
    pytest.param(Case([Fault(error_event="overloaded_error"), *FINISH], [0.5],
                      ["529 overloaded (error event mid-stream) · retry 1/8"]),
                 id="error event in the stream: retried"),
    pytest.param(Case([*LOOK, Fault(prompt_too_long=True), SUMMARY,
                       step("Writing it.", [WRITE], expect={"first_user_contains": "looked around three times"}),
                       FINISH[1]], [], ["prompt is too long", "compacted:"]),
                 id="prompt too long: compacted, then retried once"),
    pytest.param(Case([*LOOK, Fault(prompt_too_long=True, maximum=8_000), SUMMARY,
                       step("Writing it.", [WRITE], expect={"first_user_contains": "looked around three times"}),
                       FINISH[1]], [], ["prompt is too long", "window is 8,000 tokens", "compacted:"],
                      args=("--context-budget", "150000")),
                 id="prompt too long with a small history: compacted anyway, the window learned"),
    pytest.param(Case([Fault(end_early=True), *FINISH], [0.5],
                      ["broke off mid-stream", "stream ended before message_stop · retry 1/8"]),
                 id="a stream that ends without message_stop: retried, the answer printed once"),
    pytest.param(Case([*LOOK, Fault(prompt_too_long=True), SUMMARY, Fault(prompt_too_long=True), *FINISH], [],
                      ["stopped: prompt is too long even after compacting"], prompts=(TASK, TASK)),
                 id="prompt too long after compacting: stops with one line"),
    pytest.param(Case([Fault(status=401), *FINISH], [],
                      ["stopped: 401 authentication_error: scripted authentication_error (check ANTHROPIC_API_KEY"],
                      prompts=(TASK, TASK)),
                 id="401 unauthorized: one clear line, not retried"),
    pytest.param(Case([Fault(status=403), *FINISH], [], ["stopped: 403 permission_error"], prompts=(TASK, TASK)),
                 id="403 forbidden: one clear line, not retried"),
    pytest.param(Case([*[Fault(status=529, retry_after=0.01)] * 3,
                       step("Writing it.", [WRITE], expect={"model": "claude-fallback"}),
                       step("Done.", expect={"model": "claude-fallback"})],
                      [0.01, 0.01], ["switching from claude-main to the fallback model claude-fallback"],
                      args=("--fallback-model", "claude-fallback")),
                 id="529 storm: switches to the fallback model for the session"),
    pytest.param(Case([*[Fault(status=500, retry_after=0.01)] * 9, *FINISH], [0.01] * 8,
                      [f"stopped: gave up after 8 retries: 500 server error {ONE_LINE}"], prompts=(TASK, TASK)),
                 id="retries used up: gives up with one line, next prompt works"),
    pytest.param(Case([step("Here is the plan: first", stop_reason="max_tokens"),
                       step("write the file.", [WRITE], expect={"last_user_contains": "Continue exactly"}),
                       FINISH[1]], [], ["reply cut off at max_tokens (8,192)"]),
                 id="max_tokens mid-text: the model is asked to continue"),
    pytest.param(Case([step("Writing it.", [{"name": "write_file", "input": {"path": "done.txt", "content": "do"}}],
                            stop_reason="max_tokens"),
                       step("Again, whole.", [WRITE], expect={"tool_result_is_error": True,
                                                             "tool_result_contains": "cut off by max_tokens"}),
                       FINISH[1]], [], ["asking the model to continue (1/3)"]),
                 id="max_tokens mid-tool_use: the cut call is refused, then sent again"),
]


@pytest.mark.parametrize("case", CASES)
def test_fault(case: Case, tmp_path):
    with ScriptedServer(case.script) as server:
        agent, view, waits = build(server, tmp_path, case)
        out = io.StringIO()
        console = Console(file=out, width=300, highlight=False)
        answers = [submit(CHAPTER, agent, prompt, console) for prompt in case.prompts]
    # the task is done, by the last prompt
    assert answers[-1] == "Done."
    assert (tmp_path / "done.txt").read_text(encoding="utf-8") == "done\n"
    # the waits, and what the user saw
    assert waits == pytest.approx(case.waits)
    seen = "\n".join(view.texts) + "\n" + out.getvalue()
    for line in case.shown:
        assert line in seen
    if len(case.prompts) > 1:  # the first prompt failed: exactly one line said so
        assert answers[0] is None and out.getvalue().count("stopped:") == 1
    # nothing lost: every step used, every request valid, the history ready for the next one
    server.assert_done()
    assert valid(agent.messages)


def test_fatal_errors_are_not_retried(tmp_path):
    with ScriptedServer([Fault(status=401)]) as server:
        agent, _, waits = build(server, tmp_path, Case([]))
        assert submit(CHAPTER, agent, TASK, Console(file=io.StringIO())) is None
        assert len(server.requests) == 1 and waits == []


# ---------------------------------------------------------------------------------------------


def build(server: ScriptedServer, workdir, case: Case):
    """The chapter's agent, in-process, on the real SDK pointed at `server`; Recovery's waits recorded."""
    args = parse_args(CHAPTER, ["--permission-mode", "bypassPermissions", "--context-budget", "0", *case.args])
    model = AnthropicModel(Settings(api_key="scripted", base_url=server.url, model="claude-main"), CHAPTER.model_retries)
    view = RecordingView()
    agent = CHAPTER.build(Session(model, AgentConfig(model="claude-main"), workdir, view, args, interactive=False))
    if case.timeout:
        model.client = model.client.with_options(timeout=case.timeout)
    assert model.client.max_retries == 0  # the chapter turns the SDK's own retries off (`model_retries`)
    waits: list[float] = []
    recovery = Recovery.of(agent)
    recovery.sleep, recovery.rng = waits.append, lambda: 0.5
    return agent, view, waits


def valid(messages: list[dict]) -> bool:
    """The history is one the API accepts as the start of the next request."""
    messages = list(messages)
    if messages[-1]["role"] == "assistant":
        messages.append({"role": "user", "content": "next"})
    problems = check_request({"model": "m", "max_tokens": 1, "messages": messages})
    assert problems == []
    return True
