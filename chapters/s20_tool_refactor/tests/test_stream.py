"""Streaming start: a read-only call starts when its tool_use block has streamed in, before the
reply ends (real SDK, loopback scripted server with a pause after each block); a reply that fails
mid-stream and is retried (s11) never answers a block its final version does not hold."""

from __future__ import annotations

import threading

import pytest

from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.cli.testing import RecordingView, build_agent
from s01_agent_loop.model import AnthropicModel, IncompleteReply
from s01_agent_loop.scripted import ModelStep, ScriptedServer, ToolCall, message, text, tool_use
from s02_tool_use.extension import Extension
from s11_error_recovery.recovery import Recovery
from s20_tool_refactor.declare import tool
from s20_tool_refactor.wiring import CHAPTER

from .conftest import harness, results, tool_ids


class Journal(Extension):
    """Writes down, in order, each block as it streams in, each tool run, and each complete reply."""

    def __init__(self):
        self.entries: list[str] = []
        self.lock = threading.Lock()

    def add(self, entry: str) -> None:
        with self.lock:
            self.entries.append(entry)

    def wrap_model_call(self, agent, request, call_next):
        listener = agent.on_block
        if listener is not None:
            agent.on_block = lambda block: (self.add(f"block {getattr(block, 'name', block.type)}"), listener(block))
        try:
            reply = call_next(request)
        finally:
            agent.on_block = listener
        self.add("reply complete")
        return reply


@pytest.mark.parametrize("stream_start", [True, False])
def test_a_read_only_call_starts_before_the_reply_s_last_block_arrives(tmp_path, stream_start):
    journal = Journal()

    @tool(read_only=True)
    def first(n: int) -> str:
        """The first read."""
        journal.add("ran first")
        return "one"

    @tool(read_only=True)
    def later(n: int) -> str:
        """A later read."""
        journal.add("ran later")
        return "two"

    reply = ModelStep(text="Reading.", tool_use=[ToolCall(name="first", input={"n": 1}),
                                                ToolCall(name="later", input={"n": 2}),
                                                ToolCall(name="later", input={"n": 3})], block_delay=0.2)
    with ScriptedServer([reply, ModelStep(text="done")]) as server:
        model = AnthropicModel(Settings(api_key="scripted", base_url=server.url, model="claude-test"), max_retries=0)
        agent = harness(tmp_path, [], first, later, extensions=[journal], model=model, stream_start=stream_start)
        assert agent.run("go") == "done"
    entries = journal.entries
    if stream_start:  # it ran while the two later blocks were still on their way
        assert entries.index("ran first") < entries.index("block later") < entries.index("reply complete")
    else:
        assert entries.index("reply complete") < entries.index("ran first")
    assert [content for _, content, _ in results(agent)] == ["one", "two", "two"]


class EndsView(RecordingView):
    def __init__(self):
        super().__init__()
        self.ends = []

    def tool_end(self, name, output, is_error):
        self.ends.append((name, output, is_error))


class CutAfterOneBlock:
    """A model whose first stream hands over one tool_use block and is then cut; the retry's reply
    asks for something else. (s11 retries the cut: an `IncompleteReply`.)"""

    def __init__(self, retried):
        self.retried = retried
        self.n_calls = 0

    def query(self, request, on_text=None, on_block=None):
        self.n_calls += 1
        if self.n_calls == 1:
            on_block(tool_use("look", name="from the cut stream").content[0])
            raise IncompleteReply("the stream was cut")
        reply = self.retried.pop(0)
        for block in reply.content:
            if on_block:
                on_block(block)
        return reply


def test_a_call_started_from_a_stream_that_is_retried_is_dropped_and_never_answered(tmp_path):
    looked = []

    @tool(read_only=True, kind="read")
    def look(name: str) -> str:
        """Look."""
        looked.append(name)
        return f"looked at {name}"

    model = CutAfterOneBlock([message(tool_use("look", name="a"), tool_use("look", name="b")), text("done")])
    view = EndsView()
    agent = build_agent(CHAPTER, tmp_path, model, "--permission-mode", "bypassPermissions", view=view)
    agent.tools.add(look)
    Recovery.of(agent).sleep = lambda seconds: None
    try:
        assert agent.run("go") == "done"
    finally:
        agent.close()
    answered = results(agent)
    assert [i for i, _, _ in answered] == tool_ids(agent)  # only the final reply's blocks, once each
    assert [c for _, c, _ in answered] == ["looked at a", "looked at b"]
    assert sorted(looked) in (["a", "b"], ["a", "b", "from the cut stream"])  # it may have run, unanswered
    assert view.tools == ["look"] * 3 and view.ends == [
        ("look", "[not in the final reply (the stream was retried): dropped]", True),
        ("look", "looked at a", False), ("look", "looked at b", False)]


def test_an_early_call_that_must_be_asked_is_asked_in_order_and_stops_early_starts(tmp_path):
    """Only an immediate allow starts early: after an ask, later blocks wait for the complete reply."""
    from s02_tool_use.extension import Verdict

    order = []

    class AskForB(Extension):
        def pre_tool_use(self, agent, call):
            order.append(f"judged {call.input['name']}")
            return Verdict("ask", "b needs a yes") if call.input["name"] == "b" else None

        def ask(self, agent, call, verdict):
            order.append(f"asked {call.input['name']}")
            return Verdict("allow", "the user said yes")

        def post_tool_use(self, agent, call, result):
            order.append(f"answered {call.input['name']}")

    @tool(read_only=True)
    def look(name: str) -> str:
        """Look."""
        order.append(f"ran {name}")
        return name

    script = [message(tool_use("look", name="a"), tool_use("look", name="b"), tool_use("look", name="c")), text("ok")]
    agent = harness(tmp_path, script, look, extensions=[AskForB()])
    agent.run("go")
    assert order.index("judged b") < order.index("asked b") < order.index("judged c")  # verdicts in call order
    assert order.index("ran a") < order.index("asked b")  # a started as it streamed in; b only once asked
    assert order.index("answered a") < order.index("asked b")  # no spinner beside the dialog
    assert [c for _, c, _ in results(agent)] == ["a", "b", "c"]


def test_the_user_s_pre_and_post_tool_use_hooks_run_once_per_call_with_early_starts(tmp_path):
    """s08's command hooks, in .claude/settings.json, meet each call once: the early ones too."""
    import json

    from s01_agent_loop.scripted import ScriptedModel

    log = tmp_path / "hooks.log"
    hook = f"python3 -c \"import json,sys; d=json.load(sys.stdin); open({str(log)!r},'a').write(d['hook_event_name']+' '+d['tool_use_id']+chr(10))\""
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text(json.dumps({"hooks": {
        event: [{"matcher": "*", "hooks": [{"type": "command", "command": hook}]}]
        for event in ("PreToolUse", "PostToolUse")}}), encoding="utf-8")
    (tmp_path / "a.txt").write_text("alpha\n", encoding="utf-8")
    reply = message(tool_use("read_file", path="a.txt"), tool_use("grep", pattern="alpha"),
                    tool_use("write_file", path="b.txt", content="beta\n"), tool_use("read_file", path="b.txt"))
    agent = build_agent(CHAPTER, tmp_path, ScriptedModel([reply, text("done")]), "--permission-mode", "bypassPermissions")
    try:
        assert agent.run("go") == "done"
    finally:
        agent.close()
    ids = tool_ids(agent)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert sorted(lines) == sorted([f"PreToolUse {i}" for i in ids] + [f"PostToolUse {i}" for i in ids])
    assert [c for _, c, _ in results(agent)][3].endswith("beta")  # the read after the write saw it
