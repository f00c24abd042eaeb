"""s02's tools, re-declared in the new form, change nothing: every tool of the agent sends the same
schema with the same facts, and the same calls return the same results."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import s01_agent_loop
from s01_agent_loop.cli.testing import build_agent
from s01_agent_loop.scripted import ScriptedModel
from s02_tool_use.tools import ToolContext, ToolRegistry
from s02_tool_use.wiring import TOOLS
from s19_mcp_plugin.wiring import CHAPTER as S19
from s20_tool_refactor.declare import DeclaredTool
from s20_tool_refactor.native import NATIVE_TOOLS
from s20_tool_refactor.wiring import CHAPTER

SAMPLE = Path(s01_agent_loop.__file__).with_name("sample_project")
FACTS = ("name", "kind", "read_only", "path_arg", "tip")


def facts(tool) -> tuple:
    return tuple(getattr(tool, fact) for fact in FACTS)


def test_every_tool_of_the_agent_sends_the_same_schema_with_the_same_facts(tmp_path):
    before = build_agent(S19, tmp_path, ScriptedModel([]))
    after = build_agent(CHAPTER, tmp_path, ScriptedModel([]))
    assert after.tools.specs() == before.tools.specs()  # the same list, in the same order
    assert [facts(t) for t in after.tools.tools.values()] == [facts(t) for t in before.tools.tools.values()]
    redeclared = [name for name, t in after.tools.tools.items() if isinstance(t, DeclaredTool)]
    assert redeclared == [t.name for t in TOOLS if t.name != "bash"]  # s13's own bash stays


def test_each_s02_tool_is_redeclared_with_its_schema_in_the_signature():
    assert [t.name for t in NATIVE_TOOLS] == [t.name for t in TOOLS]
    for old, new in zip(TOOLS, NATIVE_TOOLS, strict=True):
        assert new.spec() == old.spec() and facts(new) == facts(old)
        assert new.input_model is not old.input_model  # built from the signature, not borrowed


CALLS = [
    ("read_file", {"path": "wordstats/stats.py"}),
    ("read_file", {"path": "wordstats/stats.py", "offset": 20, "limit": 3}),
    ("read_file", {"path": "missing.py"}),
    ("read_file", {"path": "../outside.txt"}),
    ("read_file", {"path": "README.md", "offset": 0}),
    ("read_file", {"path": "README.md", "colour": "red"}),
    ("read_file", {}),
    ("glob", {"pattern": "**/*.py"}),
    ("glob", {"pattern": "*.md", "path": "wordstats"}),
    ("grep", {"pattern": "def \\w+", "glob": "*.py"}),
    ("grep", {"pattern": "median", "path": "tests"}),
    ("grep", {"pattern": "("}),
    ("write_file", {"path": "notes/new.md", "content": "one\ntwo\n"}),
    ("edit_file", {"path": "wordstats/stats.py", "old_string": "return lengths[middle]", "new_string": "return 0"}),
    ("edit_file", {"path": "wordstats/stats.py", "old_string": "def", "new_string": "fn"}),
    ("edit_file", {"path": "wordstats/stats.py", "old_string": "nowhere", "new_string": "x"}),
    ("read_file", {"path": "notes/new.md"}),
    ("bash", {"command": "echo hi; ls wordstats | sort"}),
    ("bash", {"command": "exit 3"}),
    ("bash", {"command": ""}),
    ("bash", {"command": "echo x", "timeout": -1}),
    ("bash", {"command": "echo ok", "extra": 1}),
]


@pytest.mark.parametrize("step", range(len(CALLS)), ids=[f"{name}-{i}" for i, (name, _) in enumerate(CALLS)])
def test_the_same_calls_return_the_same_results(tmp_path, step):
    """Both forms run the same calls, in order, on two copies of the sample project."""
    old_dir, new_dir = tmp_path / "old" / "p", tmp_path / "new" / "p"
    for folder in (old_dir, new_dir):
        shutil.copytree(SAMPLE, folder)
    old = ToolRegistry().add(*TOOLS)
    new = ToolRegistry().add(*NATIVE_TOOLS)
    for name, raw in CALLS[: step + 1]:
        was = old.call(name, raw, ToolContext(old_dir))
        now = new.call(name, raw, ToolContext(new_dir))
    assert (now.content.replace(str(new_dir), "WORKDIR"), now.is_error, now.files) == (
        was.content.replace(str(old_dir), "WORKDIR"), was.is_error, was.files)
    changed = sorted(str(p.relative_to(new_dir)) for p in new_dir.rglob("*") if p.is_file())
    assert changed == sorted(str(p.relative_to(old_dir)) for p in old_dir.rglob("*") if p.is_file())
    for relative in changed:
        assert (new_dir / relative).read_bytes() == (old_dir / relative).read_bytes()
