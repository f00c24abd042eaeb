"""Fuzzing the last chapter's tools: malformed input through the real dispatch (s11's agent, every
extension on). Every call must come back as a tool_result within its bound, nothing may be written
outside the work dir, and the next request must pass the scripted model's protocol checks."""

import argparse
import json
import time

from anthropic.types import ToolUseBlock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli import Session
from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.scripted import ScriptedModel, message, text
from s11_error_recovery.wiring import CHAPTER

BOUND_SECONDS = 15.0
"""The slowest a single call may be (bash's own default timeout is far above what these reach)."""

# strings that tend to break things: surrogates, NUL, escapes, paths, shell syntax, huge and empty
TRICKY = st.sampled_from([
    "", " ", "\ud800", "a\x00b", "../../etc/passwd", "/etc/passwd", "~/.ssh/id_rsa", ".", "..", "*", "**/*",
    "(a+)+$", "[", "\\", "$(touch pwned)", "`id`", "${x@P}", "\n", "\r\n", "é" * 3, "x" * 5_000, "-rf", "a{b,c}",
    "secrets", ".git/config", "nul", "CON", "\u202e", "🙂",
])
TEXT = st.one_of(TRICKY, st.text(max_size=40))
VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=True), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=8,
)
FIELDS = ["path", "content", "old_string", "new_string", "replace_all", "offset", "limit", "pattern", "glob",
          "command", "timeout", "todos", "name", "focus", "action", "description", "type", "prompt",
          "subagent_type", "run_in_background"]
INPUTS = st.one_of(  # the API always sends an object; what is in it is anyone's guess
    st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=5),
    st.dictionaries(TEXT, VALUES, max_size=3),
)


def build(workdir):
    args = argparse.Namespace(permission_mode="acceptEdits", context_budget=None, demo=False, fallback_model=None,
                              ignore_broken_settings=False)
    model = ScriptedModel([])
    agent = CHAPTER.build(Session(model, AgentConfig(model="claude-test"), workdir, RecordingView(), args,
                                  interactive=False))
    return agent, model


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(name=st.sampled_from(["bash", "read_file", "write_file", "edit_file", "glob", "grep", "TodoWrite", "Skill",
                             "compact", "memory", "Task", "no_such_tool", ""]),
       tool_input=INPUTS)
def test_malformed_input_always_comes_back_as_a_result(tmp_path_factory, name, tool_input):
    outside = tmp_path_factory.mktemp("outside")
    workdir = outside / "work"
    workdir.mkdir()
    (workdir / "notes.txt").write_text("hello\r\nworld\n", encoding="utf-8")
    if name == "Task" and isinstance(tool_input, dict) and str(tool_input.get("prompt") or "").strip():
        tool_input = {**tool_input, "subagent_type": 42}  # a valid Task would start a child: keep it invalid
    agent, model = build(workdir)
    call = ToolUseBlock(type="tool_use", id="toolu_fuzz_000001", name=name or "x", input=tool_input)
    model.script += [message(call), text("ok"), text("still fine"), text("(a summary, if compact asked for one)")]
    start = time.monotonic()
    agent.run("go")
    elapsed = time.monotonic() - start
    # 1. one tool_result, for that call, within the bound
    results = [b for m in agent.messages if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]
    assert [r["tool_use_id"] for r in results] == ["toolu_fuzz_000001"]
    assert elapsed < BOUND_SECONDS
    json.dumps(results[0], ensure_ascii=False).encode("utf-8")  # encodable, whatever the input held
    # 2. nothing written outside the work dir
    assert sorted(p.name for p in outside.iterdir()) == ["work"]
    # 3. the next request is one the API accepts (ScriptedModel checks every request it gets)
    agent.run("and now?")
