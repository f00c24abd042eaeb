"""MCP tools (s19) go through the same router: their read-only calls run on threads beside native
reads, and every result is the one s19's one-after-another harness gives, against the real server."""

from __future__ import annotations

import shutil

from s01_agent_loop.cli.demo import SAMPLE_PROJECT
from s01_agent_loop.cli.testing import build_agent
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s19_mcp_plugin.servers import CALL_TIMEOUT
from s19_mcp_plugin.wiring import CHAPTER as S19
from s20_tool_refactor.declare import DeclaredTool, from_schema
from s20_tool_refactor.wiring import CHAPTER, MCP_MARGIN

LIGHTHOUSE = {"path": "texts/lighthouse.txt"}
BATCH = [("mcp__wordstats__word_count", LIGHTHOUSE), ("read_file", {"path": "README.md"}),
         ("mcp__wordstats__top_words", {"n": 2, **LIGHTHOUSE}), ("mcp__wordstats__word_count", {"path": "nope"}),
         ("mcp__wordstats__add_text", {"name": "notes", "content": "x"}), ("ReadMcpResourceTool",
         {"server": "wordstats", "uri": "wordstats://texts"}), ("grep", {"pattern": "median", "path": "wordstats"})]


def play(chapter, tmp_path, servers) -> tuple[list, dict]:
    project = tmp_path / chapter.name
    shutil.copytree(SAMPLE_PROJECT, project, ignore=shutil.ignore_patterns("__pycache__"))
    model = ScriptedModel([message(*(tool_use(name, **arguments) for name, arguments in BATCH)), text("done")])
    agent = build_agent(chapter, project, model, *servers, "--permission-mode", "bypassPermissions")
    try:
        assert agent.run("go") == "done"
    finally:
        agent.close()
    answered = [(b["content"], b.get("is_error", False)) for b in model.calls[1]["messages"][-1]["content"]]
    return answered, agent.tools


def test_mcp_and_native_calls_in_one_reply_give_what_s19_gives(tmp_path, mcp_servers):
    before, old_tools = play(S19, tmp_path, mcp_servers)
    after, new_tools = play(CHAPTER, tmp_path, mcp_servers)
    assert after == before
    assert after[0] == ("texts/lighthouse.txt: 59 words, 9 lines", False) and after[3][1]  # a real answer, an error
    assert (tmp_path / CHAPTER.name / "texts" / "notes.txt").read_text() == "x"  # the write ran, in its place
    assert new_tools.specs() == old_tools.specs()  # every tool, MCP ones included, declared the same


def test_an_mcp_tool_is_in_the_declared_form_as_from_schema_declares_it(tmp_path, mcp_servers):
    _, tools = play(CHAPTER, tmp_path, mcp_servers)
    remote = [t for name, t in tools.tools.items() if name.startswith("mcp__")]
    assert {t.name for t in remote} >= {"mcp__wordstats__word_count", "mcp__wordstats__add_text"}
    # one form for native and MCP tools alike, with a timeout just past s19's own for a call
    assert all(isinstance(t, DeclaredTool) and t.timeout == CALL_TIMEOUT + MCP_MARGIN for t in remote)
    for declared in remote:
        again = from_schema(declared.name, declared.description, declared.input_schema, lambda a, c: "",
                            kind=declared.kind, read_only=declared.read_only)
        assert again.spec() == declared.spec() and again.input_model is declared.input_model
        assert (again.kind, again.read_only) == (declared.kind, declared.read_only)
