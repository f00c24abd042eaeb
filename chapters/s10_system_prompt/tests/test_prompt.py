"""`SystemPrompt` through the real loop and the in-process scripted model: the sections and their
order, the breakpoints, a prompt that stays byte-identical for a session, the cache it earns, the
tool order, and subagents."""

import json
from pathlib import Path

from pydantic import BaseModel

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.testing import RecordingView
from s01_agent_loop.scripted import PromptCache, ScriptedModel, text, tool_use
from s01_agent_loop.scripted.protocol import count_breakpoints
from s02_tool_use import Extension, Harness, Section, Tool
from s02_tool_use.bash import BASH
from s02_tool_use.wiring import TOOLS
from s03_todo_write.planner import GUIDANCE, TodoPlanner
from s04_subagent.subagents import SUBAGENT_NOTE, Subagents
from s05_skill_loading import Skills
from s09_memory_system.memory import Memory
from s10_system_prompt import SystemPrompt
from s10_system_prompt.sections import IDENTITY

CONFIG = AgentConfig(model="claude-test", max_turns=10)


class SnapshotMemory(Memory):
    """s09's `Memory` with a fixed section, so the test does not depend on s09's file format."""

    def system_prompt(self, agent):
        return Section("memory", "# Memory\n- the user prefers short answers")


def make_agent(tmp_path, script, *extensions, view=None):
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    model = ScriptedModel(script)
    prompt = SystemPrompt(home=tmp_path / "home")
    agent = Harness(model, CONFIG, tmp_path, view or RecordingView(), tools=TOOLS, extensions=[*extensions, prompt])
    return agent, model, prompt


def session(n_reads: int = 2) -> list:
    return [tool_use("read_file", path="notes.txt") for _ in range(n_reads)] + [text("done")]


def system_texts(request) -> list[str]:
    return [block["text"] for block in request["system"]]


def test_the_sections_go_in_order_with_breakpoints_at_both_ends(tmp_path):
    (tmp_path / "CLAUDE.md").write_text("Always answer in haiku.", encoding="utf-8")
    agent, model, prompt = make_agent(tmp_path, session(), TodoPlanner(), SnapshotMemory())
    agent.run("read notes.txt twice")
    model.assert_done()
    assert [s.name for s in agent.draft().sections] == ["identity", "tool_guidance", "planning", "memory",
                                                        "claude_md", "environment"]
    for request in model.calls:
        system = request["system"]
        texts = system_texts(request)
        assert texts[0] == IDENTITY and str(tmp_path) not in "".join(texts[:3])  # static: no work dir
        assert "read_file before you edit it" in texts[1] and texts[2] == GUIDANCE  # tips, then s03's section
        assert texts[3].startswith("# Memory") and "Always answer in haiku." in texts[4]
        assert f"Working directory: {tmp_path}" in texts[5]
        assert [bool(block.get("cache_control")) for block in system] == [False, False, True, False, False, True]
        assert request["messages"][-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
        assert count_breakpoints(request) == 3
    assert all("cache_control" not in block for m in agent.messages for block in m["content"])
    assert prompt.breakpoints == ["static end", "last message", "system end"]


def test_the_prompt_is_a_snapshot_until_the_next_session(tmp_path):
    claude_md = tmp_path / "CLAUDE.md"
    claude_md.write_text("version one", encoding="utf-8")
    agent, model, _ = make_agent(tmp_path, [*session(1), *session(0), *session(0)])
    agent.run("first")
    claude_md.write_text("version two", encoding="utf-8")
    agent.run("second")
    assert model.calls[0]["system"] == model.calls[2]["system"]  # byte-identical within the session
    agent.new_session()  # what /clear does
    agent.run("third")
    assert "version two" in system_texts(model.calls[3])[2] and "version one" not in json.dumps(model.calls[3])


def test_a_resumed_session_sends_the_same_system_prompt_and_tool_order(tmp_path, monkeypatch):
    import datetime

    from s10_system_prompt import environment

    claude_md = tmp_path / "CLAUDE.md"
    claude_md.write_text("version one", encoding="utf-8")
    agent, model, prompt = make_agent(tmp_path, session(0))
    agent.tools.remove("bash")
    agent.tools.add(BASH)  # bash last: not the registry's order in a new process
    agent.run("first")
    state = json.loads(json.dumps(prompt.session_state(agent)))  # as saved: JSON
    # meanwhile: CLAUDE.md changed, the day changed
    claude_md.write_text("version two", encoding="utf-8")
    monkeypatch.setattr(environment.datetime, "date", type("Tomorrow", (datetime.date,), {
        "today": classmethod(lambda cls: datetime.date(2031, 1, 2))}))
    resumed, resumed_model, resumed_prompt = make_agent(tmp_path, session(0))
    resumed.resume([dict(m) for m in agent.messages], {"SystemPrompt": state})
    resumed.run("second")
    sent, before = resumed_model.calls[0], model.calls[0]
    assert sent["system"] == before["system"] and "version two" not in json.dumps(sent)
    assert [t["name"] for t in sent["tools"]] == [t["name"] for t in before["tools"]]
    assert [t["name"] for t in before["tools"]][-1] == "bash"
    resumed.new_session()  # /clear: a new session reads again
    assert "version two" in resumed_prompt.snapshot.claude_md.files[0].text
    assert resumed_prompt.snapshot.environment.today == datetime.date(2031, 1, 2)


def test_most_input_is_read_from_the_cache_after_the_first_request(tmp_path):
    agent, model, prompt = make_agent(tmp_path, session(6))
    agent.run("read notes.txt six times")
    cache = PromptCache()
    usages = [cache.usage_for(request) for request in model.calls]
    assert usages[0]["cache_read_input_tokens"] == 0 and usages[0]["cache_creation_input_tokens"] > 0
    for usage in usages[1:]:
        total = usage["input_tokens"] + usage["cache_read_input_tokens"] + usage["cache_creation_input_tokens"]
        assert usage["cache_read_input_tokens"] > 0.9 * total
    assert prompt.usage["requests"] == 7 and prompt.usage["cache_read"] > 0.75 * prompt.usage["input"]


def test_the_tools_keep_their_first_order_when_one_is_removed_and_added_again(tmp_path):
    agent, model, _ = make_agent(tmp_path, [*session(1), *session(0)])
    agent.run("first")
    first = [tool["name"] for tool in model.calls[0]["tools"]]
    agent.tools.remove("bash")
    agent.tools.add(BASH, Skills().tools()[0])  # bash moves to the end of the registry; Skill is new
    assert list(agent.tools.tools)[-2:] == ["bash", "Skill"]
    agent.run("second")
    assert [tool["name"] for tool in model.calls[2]["tools"]] == [*first, "Skill"]
    assert model.calls[0]["tools"] == model.calls[1]["tools"]


def test_skills_and_other_sections_find_their_place(tmp_path):
    skill = tmp_path / ".claude" / "skills" / "release" / "SKILL.md"
    skill.parent.mkdir(parents=True)
    skill.write_text("---\nname: release\ndescription: How to cut a release.\n---\nSteps.\n", encoding="utf-8")
    agent, model, prompt = make_agent(tmp_path, session(0), Skills(home=tmp_path / "home"))
    agent.run("hi")
    names = [s.name for s in agent.draft().sections]
    assert names == ["identity", "tool_guidance", "skills", "environment"]
    assert "release: How to cut a release." in system_texts(model.calls[0])[2]
    assert "load it with Skill" in system_texts(model.calls[0])[1]  # the Skill tool's own tip
    assert "You are a coding agent working in the folder" not in json.dumps(model.calls[0])  # s02's identity: replaced


def test_a_tool_declared_in_a_test_gets_its_tip_in_the_guidance(tmp_path):
    """No edit of s10: the tip comes with the tool."""
    class Nothing(BaseModel):
        pass

    tool = Tool("deploy_check", "Check a deploy.", Nothing, lambda args, ctx: "ok", kind="read", read_only=True,
                tip="Run deploy_check before you ship.")
    agent, model, _ = make_agent(tmp_path, session(0))
    agent.tools.add(tool)
    agent.run("hi")
    assert "- Run deploy_check before you ship." in system_texts(model.calls[0])[1]


def test_breakpoints_others_placed_count_against_the_four(tmp_path):
    class MarksTwo(Extension):  # shapes the request ahead of SystemPrompt, which counts what it finds
        def shape_request(self, agent, request):
            request.tools = [{**request.tools[0], "cache_control": {"type": "ephemeral"}}, *request.tools[1:]]
            first = request.messages[0]
            marked = {**first, "content": [{**first["content"][0], "cache_control": {"type": "ephemeral"}}]}
            request.messages = [marked, *request.messages[1:]]

    agent, model, prompt = make_agent(tmp_path, session(2), MarksTwo())
    agent.run("go")  # a fifth breakpoint would be a ProtocolError
    assert [count_breakpoints(request) for request in model.calls] == [3, 4, 4]  # call 1: one message
    assert prompt.breakpoints == ["static end", "last message"]


def test_a_subagent_gets_the_sections_from_the_parents_snapshot(tmp_path):
    (tmp_path / "CLAUDE.md").write_text("Project rule: be brief. @missing.md", encoding="utf-8")
    view = RecordingView()
    script = [tool_use("Task", description="look", prompt="Look at notes.txt", subagent_type="Explore"),
              text("notes.txt says hello"), text("The subagent found: hello")]
    agent, model, prompt = make_agent(tmp_path, script, Subagents(), view=view)
    agent.run("delegate")
    child_request = model.calls[1]
    texts = system_texts(child_request)
    assert texts[2].startswith(SUBAGENT_NOTE.format(name="Explore")) and "Project rule: be brief." in texts[3]
    assert child_request["system"][2]["cache_control"] and child_request["messages"][-1]["content"][-1]["cache_control"]
    assert [t for t in view.texts if "CLAUDE.md:" in t] == [
        f"CLAUDE.md: {tmp_path / 'CLAUDE.md'} imports @missing.md, which does not exist"]  # shown once, not per child
    child = prompt.for_subagent()
    assert child.snapshot is prompt.snapshot and child.inherited and child is not prompt


def test_a_subagent_before_any_snapshot_reads_its_own(tmp_path):
    child = SystemPrompt(home=Path(tmp_path)).for_subagent()
    assert child.snapshot is None and not child.inherited
