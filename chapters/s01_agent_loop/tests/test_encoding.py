"""Strings the API cannot take, and replies the SDK cannot read: the request is sent anyway, the
reply is one line, never a traceback. The real SDK, the scripted model on loopback."""

import json
import os

from s01_agent_loop.agent import Agent, AgentConfig
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.model import AnthropicModel, UnreadableReply, encodable
from s01_agent_loop.scripted import ScriptedModel, ScriptedServer, call, say, step, tool_use

SURROGATE = "\ud800"  # a lone surrogate: a valid Python str, but no UTF-8 encoding exists for it


def endpoint(server) -> dict:
    return {"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": "test-key", "MODEL_ID": "claude-test"}


def real_model(server) -> AnthropicModel:
    return AnthropicModel(Settings(api_key="test-key", base_url=server.url, model="claude-test"), max_retries=0)


def unencodable(body) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in json.dumps(body, ensure_ascii=False))


class EchoAgent(Agent):
    """s01's loop with one more tool, `echo`, that returns its input as it came."""

    def execute(self, call) -> tuple[str, bool]:
        if call.name == "echo":
            return f"echo: {call.input['text']}", False
        return super().execute(call)


class FirstFromScript:
    """The first reply from an in-process script, every later one from the real model. subtle: the
    SDK's stream parser refuses an escaped lone surrogate, so no server can stream a tool_use whose
    input holds one; a non-streaming client, or a model that sends one whole, can."""

    def __init__(self, script: ScriptedModel, then: AnthropicModel):
        self.script, self.then = script, then

    def query(self, request: dict, on_text=None):
        return (self.script if self.script.script else self.then).query(request, on_text)


# ---------------------------------------------------------------------------------------------


def test_a_tool_input_with_a_lone_surrogate_and_its_echo_reach_the_api_as_u_fffd(tmp_path):
    first = ScriptedModel([tool_use("echo", text=f"a{SURROGATE}b")])
    with ScriptedServer([say("It echoed a replacement character.")]) as server:
        agent = EchoAgent(FirstFromScript(first, real_model(server)), AgentConfig(model="claude-test"), tmp_path)
        assert agent.run("Echo a lone surrogate.") == "It echoed a replacement character."
    server.assert_done()  # the request was encodable, and broke no protocol rule
    sent = server.requests[0]
    assert not unencodable(sent)
    assert "\ufffd" in sent["messages"][1]["content"][0]["input"]["text"]  # the tool_use, as sent
    assert "\ufffd" in sent["messages"][2]["content"][0]["content"]  # its echo, the tool_result


def test_a_system_prompt_tool_input_and_tool_result_with_surrogates_are_all_sent(tmp_path):
    request = {
        "model": "claude-test", "max_tokens": 100, "system": f"You work in /tmp/caf{chr(0xDCE9)}",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Echo it."}]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "echo",
                                               "input": {"text": SURROGATE}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                          "content": f"echo: {SURROGATE} and \ud83d\ude00"}]},
        ],
        "tools": [{"name": "echo", "description": "Echo.", "input_schema": {"type": "object"}}],
    }
    kept = json.dumps(request)
    with ScriptedServer([say("done")]) as server:
        reply = real_model(server).query(request)
    server.assert_done()
    assert [block.text for block in reply.content] == ["done"]
    sent = server.requests[0]
    assert sent["system"] == "You work in /tmp/caf\ufffd"
    assert sent["messages"][1]["content"][0]["input"] == {"text": "\ufffd"}
    assert sent["messages"][2]["content"][0]["content"].endswith(" and 😀")  # a pair becomes its character
    assert json.dumps(request) == kept  # the caller's request is left as it was


def test_encodable_copies_only_what_it_must_change():
    assert encodable({"a": ["x\udce9", ("y",), 3, None]}) == {"a": ["x\ufffd", ["y"], 3, None]}
    assert encodable("plain é 😀") == "plain é 😀"


def test_a_work_dir_whose_name_is_not_utf8_does_not_stop_the_command_line(tmp_path):
    workdir = tmp_path / os.fsdecode(b"caf\xe9")  # the name holds a lone surrogate in Python: caf\udce9
    workdir.mkdir()
    with ScriptedServer([say("Hello.")]) as server:
        result = run_chapter("s01_agent_loop", "-q", "hello", cwd=workdir, env=endpoint(server))
    assert (result.returncode, result.stdout) == (0, "Hello.\n"), result.stderr
    server.assert_done()
    assert "caf\ufffd" in server.requests[0]["system"]  # the work dir is named in the system prompt


def test_a_tool_input_the_sdk_cannot_parse_is_one_line_from_the_command_line(tmp_path):
    # the server streams {"text": "\ud800"}, JSON the SDK's parser (jiter) refuses: a bare ValueError
    with ScriptedServer([call("bash", command=f"echo {SURROGATE}")]) as server:
        result = run_chapter("s01_agent_loop", "-q", "hello", cwd=tmp_path, env=endpoint(server))
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr
    said = " ".join(result.stderr.split())  # rich wraps long lines
    assert "model error: UnreadableReply: the reply could not be read: Unable to parse tool parameter JSON" in said
    server.assert_done()


def test_an_unreadable_reply_is_an_incomplete_one_and_keeps_its_cause(tmp_path):
    with ScriptedServer([step(tool_use=[{"name": "bash", "input": {"command": SURROGATE}}])]) as server:
        try:
            real_model(server).query({"model": "claude-test", "max_tokens": 100,
                                      "messages": [{"role": "user", "content": "hi"}]})
        except UnreadableReply as error:
            assert isinstance(error.__cause__, ValueError) and "\n" not in str(error)
        else:
            raise AssertionError("an unparsable tool input was taken for a reply")
