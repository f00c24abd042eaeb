"""The scripted server, driven by the real `anthropic` SDK over loopback HTTP."""

from __future__ import annotations

import time

import anthropic
import pytest

from s01_agent_loop.scripted import Fault, ScriptedServer, call, load_scenario, say, step

BASH = {"name": "bash", "description": "Run a command.",
        "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}}}
PROMPT = [{"role": "user", "content": "List the files here."}]


def client(server: ScriptedServer, retries: int = 0) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.url, api_key="scripted", max_retries=retries)


def ask(server, messages=PROMPT, retries=0, **extra):
    return client(server, retries).messages.create(model="claude-test", max_tokens=256, tools=[BASH],
                                                   messages=messages, **extra)


def streamed(server, messages=PROMPT, **extra):
    with client(server).messages.stream(model="claude-test", max_tokens=256, tools=[BASH],
                                        messages=messages, **extra) as stream:
        pieces = list(stream.text_stream)
        return pieces, stream.get_final_message()


def after(reply, output="a.py\nb.py"):
    """The conversation after `reply`: its tool calls answered with `output`."""
    results = [{"type": "tool_result", "tool_use_id": b.id, "content": output}
               for b in reply.content if b.type == "tool_use"]
    return [*PROMPT, {"role": "assistant", "content": reply.content}, {"role": "user", "content": results}]


def test_create_and_stream_return_the_scripted_replies():
    script = [step("Let me look around the project.", [{"name": "bash", "input": {"command": "ls -la"}}]),
              say("There are two files, a.py and b.py, in this folder.")]
    with ScriptedServer(script) as server:
        first = ask(server)
        pieces, second = streamed(server, after(first))

    assert first.model == "claude-test" and first.stop_reason == "tool_use" and first.id.startswith("msg_")
    text, tool = first.content
    assert text.text == "Let me look around the project."
    assert (tool.name, tool.input, tool.id.startswith("toolu_")) == ("bash", {"command": "ls -la"}, True)
    assert second.stop_reason == "end_turn"
    assert second.content[0].text == "There are two files, a.py and b.py, in this folder."
    assert len(pieces) > 1 and "".join(pieces) == second.content[0].text
    assert second.usage.output_tokens > 0 and second.usage.input_tokens > first.usage.input_tokens
    assert server.requests[1]["stream"] is True
    assert server.requests[1]["messages"][2]["content"][0]["tool_use_id"] == tool.id
    server.assert_done()


def test_streamed_tool_input_is_parsed():
    with ScriptedServer([call("bash", command="grep -n 'def main' *.py | head")]) as server:
        _, reply = streamed(server)
    assert reply.content[0].input == {"command": "grep -n 'def main' *.py | head"}
    assert reply.stop_reason == "tool_use"


def test_overloaded_without_retries_raises_and_with_retries_recovers():
    with ScriptedServer([Fault(status=529, retry_after=0), Fault(status=529, retry_after=0.01), say("ok")]) as server:
        with pytest.raises(anthropic.OverloadedError) as caught:
            ask(server)
        assert isinstance(caught.value, anthropic.InternalServerError)
        assert caught.value.status_code == 529 and caught.value.response.headers["retry-after"] == "0"
        assert ask(server, retries=2).content[0].text == "ok"
        assert len(server.requests) == 3
    server.assert_done()


def test_error_event_mid_stream_raises_api_status_error():
    with ScriptedServer([Fault(error_event="overloaded_error")]) as server, pytest.raises(
        anthropic.APIStatusError
    ) as caught:
        streamed(server)
    assert caught.value.status_code == 200 and caught.value.type == "overloaded_error"
    assert not isinstance(caught.value, anthropic.InternalServerError)


def test_cut_stream_raises_after_partial_text():
    seen = []
    with ScriptedServer([Fault(cut_stream=True), Fault(cut_stream=True)]) as server:
        with pytest.raises(Exception) as caught, client(server).messages.stream(
            model="claude-test", max_tokens=256, messages=PROMPT
        ) as stream:
            seen.extend(stream.text_stream)
        with pytest.raises(anthropic.APIConnectionError):
            ask(server)
    assert seen and seen[0].startswith("Let me")
    assert "incomplete chunked read" in str(caught.value)
    server.assert_done()


def test_drop_is_a_connection_error_and_a_late_drop_a_timeout():
    with ScriptedServer([Fault(drop=True), Fault(drop=True, delay=0.3), say("ok")]) as server:
        with pytest.raises(anthropic.APIConnectionError) as dropped:
            ask(server)
        assert not isinstance(dropped.value, anthropic.APITimeoutError)
        with pytest.raises(anthropic.APITimeoutError):
            client(server).with_options(timeout=0.1).messages.create(
                model="claude-test", max_tokens=256, messages=PROMPT)
        assert ask(server).content[0].text == "ok"
    server.assert_done()


def test_prompt_too_long():
    with ScriptedServer([Fault(prompt_too_long=True)]) as server, pytest.raises(anthropic.BadRequestError) as caught:
        ask(server)
    assert "prompt is too long" in str(caught.value) and "tokens > 200000 maximum" in str(caught.value)


def test_protocol_violation_is_a_400_and_fails_assert_done():
    bad = [*PROMPT, {"role": "assistant", "content": "I will run ls."}]
    with ScriptedServer([say("never sent")]) as server, pytest.raises(anthropic.BadRequestError) as caught:
        ask(server, bad)
    assert "scripted model: request #1 breaks the protocol" in str(caught.value)
    assert "ends on an assistant message" in server.violations[0]
    assert server.steps_left == 1
    with pytest.raises(AssertionError, match="ends on an assistant message"):
        server.assert_done()


def test_failed_expectation_is_a_400_and_fails_assert_done():
    script = [call("bash", command="ls"), say("done", expect={"tool_result_contains": "c.py"})]
    with ScriptedServer(script) as server:
        first = ask(server)
        with pytest.raises(anthropic.BadRequestError) as caught:
            ask(server, after(first))
    assert "reply 2 (text 'done') answering request #2: expected a tool_result to contain 'c.py'" in str(caught.value)
    assert "saw 'a.py\\nb.py'" in server.violations[0]
    with pytest.raises(AssertionError, match="c.py"):
        server.assert_done()


def test_leftover_and_missing_steps():
    with ScriptedServer([say("one"), say("two")]) as server:
        ask(server)
    with pytest.raises(AssertionError, match="1 scripted reply was never asked for: text 'two'"):
        server.assert_done()
    with ScriptedServer([]) as server, pytest.raises(anthropic.BadRequestError, match="no step left for request #1"):
        ask(server)


def test_usage_reports_cache_reads_for_a_shared_prefix():
    def marked(messages):
        *head, last = messages
        content = last["content"] if isinstance(last["content"], list) else [{"type": "text", "text": last["content"]}]
        return [*head, {"role": "user", "content": [*content[:-1], {**content[-1], "cache_control": {"type": "ephemeral"}}]}]

    with ScriptedServer([call("bash", command="ls"), say("done"), say("plain")]) as server:
        first = ask(server, marked(PROMPT))
        _, second = streamed(server, marked(after(first)))
        plain = ask(server, after(first))
        total = client(server).messages.count_tokens(model="claude-test", tools=[BASH], messages=after(first))
    assert first.usage.cache_read_input_tokens == 0 and first.usage.cache_creation_input_tokens > 0
    usage = second.usage
    assert usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens == total.input_tokens
    assert (plain.usage.cache_read_input_tokens, plain.usage.input_tokens) == (0, total.input_tokens)


def test_yaml_scenario_beta_path_bearer_auth_and_unknown_routes(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text('title: t\nsteps:\n  - user: "hi"\n  - model: {text: "hello", expect: {tools: [bash]}}\n')
    with ScriptedServer(load_scenario(path)) as server:
        bearer = anthropic.Anthropic(base_url=server.url, auth_token="scripted", max_retries=0)
        reply = bearer.beta.messages.create(model="claude-test", max_tokens=64, tools=[BASH], messages=PROMPT)
        with pytest.raises(anthropic.NotFoundError):
            bearer.models.list()
    assert reply.content[0].text == "hello"
    server.assert_done()


def test_lenient_server_records_problems_but_answers_after_the_delay():
    bad = [*PROMPT, {"role": "assistant", "content": "I will run ls."}]
    with ScriptedServer([say("answered anyway", delay=0.05)], strict=False) as server:
        started = time.monotonic()
        reply = ask(server, bad)
        elapsed = time.monotonic() - started
    assert reply.content[0].text == "answered anyway"
    assert elapsed >= 0.05
    assert server.steps_left == 0 and len(server.violations) == 1
    with pytest.raises(AssertionError, match="ends on an assistant message"):
        server.assert_done()


def test_steps_for_named_agents_answer_only_that_agent_in_script_order(tmp_path):
    (tmp_path / "team.yaml").write_text("""title: a team
steps:
  - model: {text: "lead one"}
  - model: {agent: alice, text: "alice one"}
  - model: {agent: bob, text: "bob one"}
  - model: {agent: alice, text: "alice two"}
  - model: {text: "lead two"}
  - model: {agent: bob, text: "bob two"}
""", encoding="utf-8")
    said = []
    with ScriptedServer(load_scenario(tmp_path / "team.yaml"), latency=0.02) as server:
        started = time.monotonic()
        for sender in ("bob", "alice", None, "alice", "bob"):  # any order across agents
            extra = {"metadata": {"user_id": sender}} if sender else {}
            said.append(ask(server, **extra).content[0].text)
        elapsed = time.monotonic() - started
        assert server.steps_left == 1
        with pytest.raises(AssertionError, match="1 scripted reply was never asked for: text 'lead two'"):
            server.assert_done()
        with pytest.raises(anthropic.BadRequestError, match="no step left for request #6 from carol"):
            ask(server, metadata={"user_id": "carol"})
    assert said == ["bob one", "alice one", "lead one", "alice two", "bob two"]
    assert elapsed >= 5 * 0.02  # the server-wide latency, on every answer



def test_a_scripted_tool_id_the_history_already_holds_is_replaced_by_a_fresh_one():
    # a session resumed against the same script meets the script's ids again; the API never repeats one
    script = [call("bash", command="ls"), say("done")]
    with ScriptedServer(script) as first:
        old = ask(first)
    with ScriptedServer(script) as again:
        history = after(old)
        new = ask(again, messages=[*history, {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
                                   {"role": "user", "content": "once more"}])
    old_id = next(b.id for b in old.content if b.type == "tool_use")
    new_id = next(b.id for b in new.content if b.type == "tool_use")
    assert new_id != old_id and new_id.startswith("toolu_")
    with ScriptedServer(script) as fresh:  # with nothing to clash with, the id is the script's own
        assert next(b.id for b in ask(fresh).content if b.type == "tool_use") == old_id
