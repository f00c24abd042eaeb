"""The harness: the registry inside the loop, and every extension point, through the scripted model."""

from collections import Counter

import pytest
from pydantic import BaseModel

from s01_agent_loop import AgentConfig
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s02_tool_use import Extension, Harness, Outcome, Section, Tool, ToolResult, Verdict
from s02_tool_use.extension import fold
from s02_tool_use.harness import PromptBlocked
from s02_tool_use.wiring import TOOLS

CONFIG = AgentConfig(model="claude-test")


class Echo(BaseModel):
    word: str


def boom(args, ctx):
    raise RuntimeError("disk on fire")


ECHO = Tool("echo", "Say the word back.", Echo, lambda args, ctx: f"echo: {args.word}")
BOOM = Tool("boom", "Always fails.", Echo, boom)


def harness(tmp_path, script, *extensions, tools=(ECHO, BOOM)):
    model = ScriptedModel(script)
    return Harness(model, CONFIG, tmp_path, tools=tools, extensions=extensions), model


def results(agent, index=2) -> list[dict]:
    return [b for b in agent.messages[index]["content"] if b["type"] == "tool_result"]


def test_the_registry_sends_schemas_and_runs_tools(tmp_path):
    agent, model = harness(tmp_path, [tool_use("echo", word="hi"), text("done")])
    assert agent.run("say hi") == "done"
    assert results(agent)[0]["content"] == "echo: hi"
    spec = model.calls[0]["tools"][0]
    assert spec["name"] == "echo" and spec["input_schema"]["required"] == ["word"]


@pytest.mark.parametrize(
    "call, expected",
    [
        (tool_use("echo"), "Invalid input for echo: word: Field required"),
        (tool_use("echo", word=["a"]), "Invalid input for echo: word: Input should be a valid string"),
        (tool_use("nope", x=1), "Unknown tool 'nope'. Available tools: echo, boom."),
        (tool_use("boom", word="x"), "boom failed: RuntimeError: disk on fire"),
    ],
)
def test_every_failure_becomes_an_error_result_and_the_loop_goes_on(tmp_path, call, expected):
    agent, model = harness(tmp_path, [call, text("recovered")])
    assert agent.run("go") == "recovered"
    result = results(agent)[0]
    assert result["is_error"] is True and result["content"] == expected
    model.assert_done()


def test_several_calls_get_their_results_in_order_in_one_message(tmp_path):
    batch = message(tool_use("echo", word="1"), tool_use("boom", word="2"), tool_use("echo", word="3"))
    agent, model = harness(tmp_path, [batch, text("ok")])
    agent.run("three")
    got = results(agent)
    assert [r["content"] for r in got] == ["echo: 1", "boom failed: RuntimeError: disk on fire", "echo: 3"]
    assert [r.get("is_error", False) for r in got] == [False, True, False]
    assert len(agent.messages) == 4


class Recorder(Extension):
    """Counts every extension point it passes, like a hook that only watches."""

    def __init__(self):
        self.events = Counter()

    def system_prompt(self, agent):
        self.events["system_prompt"] += 1
        return Section("recorder", "RECORDER SECTION")

    def shape_request(self, agent, request):
        self.events["shape_request"] += 1

    def before_request(self, agent):
        self.events["before_request"] += 1

    def wrap_model_call(self, agent, request, call_next):
        self.events["wrap_model_call"] += 1
        return call_next(request)

    def pre_tool_use(self, agent, call):
        self.events[f"pre_tool_use:{call.name}"] += 1

    def post_tool_use(self, agent, call, result):
        self.events[f"post_tool_use:{call.name}"] += 1

    def on_event(self, agent, event, data):
        self.events[event] += 1


def test_extension_points_fire_in_a_run(tmp_path):
    recorder = Recorder()
    agent, model = harness(tmp_path, [tool_use("echo", word="a"), text("one"), text("two")], recorder)
    agent.run("first")
    agent.run("second")
    assert recorder.events == {
        "SessionStart": 1, "UserPromptSubmit": 2, "Stop": 2, "TurnEnd": 2,
        "system_prompt": 3, "shape_request": 3, "before_request": 3, "wrap_model_call": 3,
        "pre_tool_use:echo": 1, "post_tool_use:echo": 1,
    }  # subtle: one system_prompt per request: the request is assembled in one place, once
    assert model.calls[0]["system"][1] == {"type": "text", "text": "RECORDER SECTION"}
    assert model.calls[0]["system"][0]["text"].startswith("You are a coding agent")


class Guard(Extension):
    def pre_tool_use(self, agent, call):
        if call.input.get("word") == "secret":
            return Verdict("deny", "a guard", message="echo of 'secret' is not allowed")
        return Verdict(None, updated_input={"word": call.input["word"].upper()})

    def post_tool_use(self, agent, call, result):
        return ToolResult(result.content + " [checked]", result.is_error)


def test_pre_tool_use_denies_or_rewrites_and_post_tool_use_rewrites(tmp_path):
    batch = message(tool_use("echo", word="secret"), tool_use("echo", word="quiet"))
    agent, _ = harness(tmp_path, [batch, text("ok")], Guard())
    agent.run("go")
    denied, rewritten = results(agent)
    assert denied["is_error"] is True and denied["content"] == "echo of 'secret' is not allowed"
    assert rewritten["content"] == "echo: QUIET [checked]"


def test_use_before_puts_an_extension_ahead_of_another(tmp_path):
    class Upper(Extension):
        def pre_tool_use(self, agent, call):
            return Verdict(None, updated_input={"word": call.input["word"].upper()})

    agent, _ = harness(tmp_path, [tool_use("echo", word="secret"), text("ok")], Guard())
    agent.use(Recorder()).use(Upper(), before=Guard)
    assert [type(ext).__name__ for ext in agent.extensions] == ["Upper", "Guard", "Recorder"]
    agent.run("go")
    assert results(agent)[0]["content"] == "echo: SECRET [checked]"  # rewritten before Guard looked


def test_a_denied_tool_never_runs(tmp_path):
    class NoWrites(Extension):
        def pre_tool_use(self, agent, call):
            return Verdict("deny", "writes are off", message="writes are off") if call.name == "write_file" else None

    agent, _ = harness(tmp_path, [tool_use("write_file", path="x.txt", content="x"), text("ok")], NoWrites(), tools=TOOLS)
    agent.run("write")
    assert not (tmp_path / "x.txt").exists()
    assert results(agent)[0]["content"] == "writes are off"


def test_before_request_and_wrap_model_call_shape_what_is_sent(tmp_path):
    class Reminder(Extension):
        def before_request(self, agent):
            last = agent.messages[-1]
            if last["role"] == "user" and not any("REMINDER" in str(b) for b in last["content"]):
                last["content"].append({"type": "text", "text": "REMINDER: be brief"})

        def wrap_model_call(self, agent, request, call_next):
            return call_next(request | {"temperature": 0})

    agent, model = harness(tmp_path, [tool_use("echo", word="x"), text("ok")], Reminder())
    agent.run("go")
    assert model.calls[0]["temperature"] == 0
    last_sent = model.calls[1]["messages"][-1]["content"]
    assert last_sent[0]["type"] == "tool_result" and last_sent[-1]["text"] == "REMINDER: be brief"


def test_user_prompt_submit_can_block_or_add_context(tmp_path):
    class Gate(Extension):
        def on_event(self, agent, event, data):
            if event == "UserPromptSubmit" and "password" in data["prompt"]:
                return Outcome(block="prompts with passwords are refused")
            if event == "SessionStart":
                return Outcome(context=["Today is a test day."])

    agent, model = harness(tmp_path, [text("ok")], Gate())
    with pytest.raises(PromptBlocked, match="passwords"):
        agent.run("my password is hunter2")
    assert model.calls == []
    agent.run("hello")
    assert model.calls[0]["messages"][0]["content"][0]["text"] == "Today is a test day."


def test_stop_can_keep_the_model_going_once(tmp_path):
    class InsistOnTests(Extension):
        def on_event(self, agent, event, data):
            if event == "Stop" and not data["stop_hook_active"]:
                return Outcome(block="Run the tests before you stop.")

    agent, model = harness(tmp_path, [text("done?"), text("tests pass, done")], InsistOnTests())
    assert agent.run("work") == "tests pass, done"
    assert model.calls[1]["messages"][-1]["content"][-1]["text"] == "Run the tests before you stop."
    model.assert_done()


def test_the_fold_deny_beats_ask_beats_allow_and_a_default_ask_yields_to_an_allow():
    allow, deny = Verdict("allow", "a hook"), Verdict("deny", "a rule")
    firm_ask, default_ask = Verdict("ask", "an ask rule"), Verdict("ask", "default mode", by_default=True)
    assert fold([allow, deny, firm_ask]) is deny
    assert fold([allow, firm_ask]) is firm_ask
    assert fold([default_ask, allow]) is allow  # a hook's allow skips the mode's default prompt
    assert fold([default_ask]) is default_ask
    assert fold([Verdict(None, updated_input={})]).behavior == "allow"  # nobody objected
    assert fold([]).behavior == "allow"


def test_an_ask_nobody_can_answer_is_a_denial_and_an_ask_point_settles_it(tmp_path):
    class AskAll(Extension):
        def pre_tool_use(self, agent, call):
            return Verdict("ask", "ask everything")

    class Approver(Extension):
        def __init__(self, answer):
            self.answer, self.asked = answer, []

        def ask(self, agent, call, verdict):
            self.asked.append((call.name, verdict.reason))
            return Verdict(self.answer, "the approver said so", message="no, thanks")

    agent, _ = harness(tmp_path, [tool_use("echo", word="a"), text("ok")], AskAll())
    agent.run("go")
    assert results(agent)[0]["is_error"] and "no way to ask the user" in results(agent)[0]["content"]
    for answer, expected in (("allow", "echo: a"), ("deny", "no, thanks")):
        approver = Approver(answer)
        agent, _ = harness(tmp_path, [tool_use("echo", word="a"), text("ok")], AskAll(), approver)
        agent.run("go")
        assert results(agent)[0]["content"] == expected and approver.asked == [("echo", "ask everything")]


def test_a_tool_declares_its_own_facts():
    tool = Tool("lookup", "Look something up.", Echo, lambda args, ctx: "x", kind="read", read_only=True,
                path_arg="word", tip="Use lookup first.")
    assert (tool.kind, tool.read_only, tool.path_arg, tool.tip) == ("read", True, "word", "Use lookup first.")
    assert tool.spec() == ECHO.spec() | {"name": "lookup", "description": "Look something up."}  # facts are not sent
    assert {t.name: t.kind for t in TOOLS} == {"bash": "shell", "read_file": "read", "write_file": "edit",
                                              "edit_file": "edit", "glob": "read", "grep": "read"}


def test_shape_request_sees_and_shapes_the_one_request_that_is_sent(tmp_path):
    class Cacher(Extension):
        def system_prompt(self, agent):
            return Section("notes", "NOTES")

        def shape_request(self, agent, request):
            request.sections = [*request.sections[1:], request.sections[0]]  # reorder
            request.sections[-1] = Section(request.sections[-1].name, request.sections[-1].text, cache=True)

    agent, model = harness(tmp_path, [text("ok")], Cacher())
    shown = agent.request()
    agent.run("go")
    sent = model.calls[0]
    assert shown["system"] == sent["system"]  # what a reader sees is what is sent
    assert [b["text"][:5] for b in sent["system"]] == ["NOTES", "You a"]
    assert sent["system"][1]["cache_control"] == {"type": "ephemeral"} and "cache_control" not in sent["system"][0]


def test_extensions_order_is_explicit_and_listed(tmp_path):
    from io import StringIO

    from rich.console import Console

    class Outer(Extension):
        def wrap_model_call(self, agent, request, call_next):
            return call_next(request)

    agent, _ = harness(tmp_path, [text("ok")], Guard(), Recorder())
    agent.use(Outer(), outermost=True)
    assert [type(e).__name__ for e in agent.extensions] == ["Outer", "Guard", "Recorder"]
    console = Console(file=StringIO(), width=120)
    agent.commands()["extensions"].run(agent, "", console)
    rows = {line.split()[0]: " ".join(line.split()[1:]) for line in console.file.getvalue().splitlines() if line.strip()}
    assert rows["wrap_model_call"] == "Outer → Recorder" and rows["pre_tool_use"] == "Guard → Recorder"
    assert rows["post_tool_use"] == "Recorder → Guard"  # on the way back out
    assert rows["ask"] == "-" and rows["order"] == "plugged in: Outer, Guard, Recorder"


def test_new_session_empties_the_history_and_starts_a_session_with_source_clear(tmp_path):
    recorder = Recorder()
    recorder.sources = []
    agent, _ = harness(tmp_path, [text("one"), text("two")], recorder)
    original = recorder.on_event
    recorder.on_event = lambda a, e, d: (recorder.sources.append(d.get("source")) if e == "SessionStart" else None,
                                         original(a, e, d))[1]
    agent.run("first")
    agent.pending_context.append("stale")
    agent.new_session()
    assert (agent.messages, agent.pending_context, recorder.sources) == ([], [], ["startup", "clear"])
    agent.run("second")
    assert recorder.sources == ["startup", "clear"] and len(agent.messages) == 2


class Kept(Extension):
    """Keeps a word per session; what it read at SessionStart is replaced by the restored state."""

    def __init__(self):
        self.word, self.sources = None, []

    def on_event(self, agent, event, data):
        if event == "SessionStart":
            self.word = "fresh"
            self.sources.append(data["source"])
            return Outcome(context=[f"started: {data['source']}"])
        if event == "TurnEnd":
            self.sources.append("turn end")

    def session_state(self, agent):
        return {"word": self.word} if self.word else None

    def restore_session(self, agent, state):
        self.word = state["word"]


def test_resume_brings_the_messages_and_each_extensions_state_back_after_session_start(tmp_path):
    kept = Kept()
    agent, _ = harness(tmp_path, [text("one")], kept, Recorder())
    assert agent.session_states() == {}  # Recorder keeps nothing; Kept nothing yet
    agent.run("first")
    kept.word = "changed in the session"
    saved, states = [dict(m) for m in agent.messages], agent.session_states()
    assert states == {"Kept": {"word": "changed in the session"}}

    again = Kept()
    resumed, model = harness(tmp_path, [text("two")], again)
    resumed.resume(saved, states)
    assert (again.word, again.sources, resumed.started) == ("changed in the session", ["resume"], True)
    assert resumed.messages == saved and resumed.pending_context == ["started: resume"]
    resumed.run("second")  # no second SessionStart: the session had started
    assert again.sources == ["resume", "turn end"]
    assert model.calls[0]["messages"][:2] == saved
    assert model.calls[0]["messages"][2]["content"][0]["text"] == "started: resume"


def test_turn_end_comes_after_an_interrupted_turn_too(tmp_path):
    kept = Kept()
    agent, _ = harness(tmp_path, [KeyboardInterrupt()], kept)
    with pytest.raises(KeyboardInterrupt):
        agent.run("go")
    assert kept.sources == ["startup", "turn end"]
    assert agent.messages[-1]["content"][-1]["text"] == "[The user interrupted this turn.]"


def test_post_tool_use_runs_innermost_first(tmp_path):
    seen = []

    class Tag(Extension):
        def __init__(self, tag):
            self.tag = tag

        def post_tool_use(self, agent, call, result):
            seen.append((self.tag, result.content))
            return ToolResult(f"{result.content}+{self.tag}")

    agent, _ = harness(tmp_path, [tool_use("echo", word="x"), text("ok")], Tag("outer"), Tag("inner"))
    agent.run("go")
    assert seen == [("inner", "echo: x"), ("outer", "echo: x+inner")]
    assert results(agent)[0]["content"] == "echo: x+inner+outer"


def test_drop_unplugs_an_extension_and_its_tools_and_close_ends_the_session(tmp_path):
    events = []

    class Planner(Extension):
        def tools(self):
            return [ECHO]

        def on_event(self, agent, event, data):
            events.append(event)

    class Other(Extension):
        def on_event(self, agent, event, data):
            events.append(f"other {event}")

    agent, _ = harness(tmp_path, [], Planner(), Other(), tools=(BOOM,))
    assert [spec["name"] for spec in agent.request()["tools"]] == ["boom", "echo"]
    agent.drop(Planner).drop(Planner)  # a second drop finds nothing and does nothing
    assert [spec["name"] for spec in agent.request()["tools"]] == ["boom"]
    assert Planner.of(agent) is None
    agent.close()
    assert events == ["other SessionEnd"]


def test_a_tool_may_bring_its_own_schema_and_send_image_blocks(tmp_path):
    """For a tool declared elsewhere (an MCP server's, s19): its JSON schema is sent as it is, any
    object passes `AnyInput`, and a result's `blocks` follow its text in the tool_result."""
    from s02_tool_use.tools import AnyInput

    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
    shown = Tool("shown", "Returns a picture.", AnyInput,
                 lambda args, ctx: ToolResult(f"n={args.model_dump()['n']}", blocks=[image]), input_schema=schema)
    assert shown.spec()["input_schema"] == schema
    agent, model = harness(tmp_path, [tool_use("shown", n=3), tool_use("shown", n=4), text("done")], tools=(shown,))
    agent.run("go")
    assert results(agent)[0]["content"] == [{"type": "text", "text": "n=3"}, image]
    assert ToolResult("x", blocks=[image]).with_note("note").blocks == [image]  # a note keeps the image
    assert ToolResult("", blocks=[image]).sent() == [image]  # no empty text block
    assert ToolResult("plain").sent() == "plain"
