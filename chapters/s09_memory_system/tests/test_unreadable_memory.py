"""A memory that cannot be read back never stops a session: a lone surrogate is refused at save,
a file written that way (or not UTF-8) is skipped at start and quarantined by the next save of its
name, and `.harness/memory` that is a file is one clear line."""

import io

from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, run_chapter, slash, system_text
from s01_agent_loop.scripted import ScriptedModel, ScriptedServer, step, text, tool_use
from s02_tool_use import Harness
from s02_tool_use.wiring import TOOLS
from s09_memory_system import Memory
from s09_memory_system.store import memory_dir, scan

SURROGATE = "\ud800"
SAVE = {"action": "save", "name": "deadline", "type": "project", "description": "The release deadline",
        "content": "The release is on 2026-03-01."}
# a memory file as the harness used to write one whose description held "\ud800": PyYAML escapes it,
# so the file is valid UTF-8, but reading it back gives the lone surrogate again
POISONED = '---\nname: deadline\ndescription: "The deadline \\uD800"\ntype: project\n---\nSoon.\n'
GOOD = "---\nname: test-command\ndescription: Run the tests with -v\ntype: feedback\n---\nAlways -v.\n"


def endpoint(server) -> dict:
    return {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url}


def said(result) -> str:
    return " ".join(result.stderr.split())  # rich wraps long lines


def poison(workdir) -> None:
    folder = memory_dir(workdir)
    folder.mkdir(parents=True)
    (folder / "deadline.md").write_text(POISONED, encoding="utf-8")
    (folder / "latin.md").write_bytes("---\nname: latin\ndescription: Caf\xe9\ntype: user\n---\n".encode("latin-1"))
    (folder / "test-command.md").write_text(GOOD, encoding="utf-8")


def test_a_lone_surrogate_in_a_save_is_refused_and_nothing_is_written(tmp_path):
    script = [tool_use("memory", **{**SAVE, "description": f"The deadline {SURROGATE}"}),
              tool_use("memory", **{**SAVE, "content": f"On {SURROGATE}."}), text("I could not save it.")]
    model, view = ScriptedModel(script), RecordingView()
    agent = Harness(model, AgentConfig(model="claude-test"), tmp_path, view, tools=TOOLS, extensions=[Memory()])
    assert agent.run("Remember the deadline.") == "I could not save it."
    model.assert_done()
    results = [b for m in agent.messages if m["role"] == "user" for b in m["content"] if b["type"] == "tool_result"]
    assert [r.get("is_error") for r in results] == [True, True]
    for result, field in zip(results, ("description", "content"), strict=True):
        assert result["content"].startswith(f"Invalid input for memory: {field}: Value error, holds '\\ud800' at")
    assert not memory_dir(tmp_path).exists()


def test_a_poisoned_memory_folder_no_longer_stops_the_next_session_which_says_what_it_skipped(tmp_path):
    poison(tmp_path)
    script = [step(text="Run them with -v.", expect={"system_contains": "- [test-command](test-command.md)"})]
    with ScriptedServer(script) as server:
        result = run_chapter("s09_memory_system", "-q", "How do I run the tests?", cwd=tmp_path, env=endpoint(server))
    assert (result.returncode, result.stdout) == (0, "Run them with -v.\n"), result.stderr
    assert "Traceback" not in result.stderr
    server.assert_done()  # and the request was valid: the good memory is in it, the others are not
    assert "deadline.md" not in system_text(server.requests[0])
    assert "memory: 1 memory in the system prompt" in said(result)
    assert ("memory: skipped .harness/memory/deadline.md: description: Value error, holds '\\ud800' at position 13, "
            "a lone surrogate that is no character and cannot be written as UTF-8 text (the file is left as it is)"
            ) in said(result)
    assert ("memory: skipped .harness/memory/latin.md: not UTF-8 text (byte 0xe9 at offset 32); a memory file is "
            "UTF-8 (the file is left as it is)") in said(result)
    assert (memory_dir(tmp_path) / "deadline.md").read_text(encoding="utf-8") == POISONED  # left as it is
    index = (memory_dir(tmp_path) / "MEMORY.md").read_text(encoding="utf-8")
    assert "test-command" in index and "deadline" not in index


def test_the_next_save_of_a_poisoned_name_sets_the_old_file_aside(tmp_path):
    poison(tmp_path)
    script = [step(tool_use=[{"name": "memory", "input": SAVE}]),
              step(text="Saved.", expect={"tool_result_contains": "could not be read as a memory, so it was kept: "
                                                                  "moved to .harness/memory/corrupt/deadline-"})]
    with ScriptedServer(script) as server:
        result = run_chapter("s09_memory_system", "-q", "Remember the deadline.", cwd=tmp_path, env=endpoint(server))
    assert (result.returncode, result.stdout) == (0, "Saved.\n"), result.stderr
    server.assert_done()
    [aside] = (memory_dir(tmp_path) / "corrupt").iterdir()
    assert aside.read_text(encoding="utf-8") == POISONED  # the bytes unchanged
    found = scan(tmp_path)
    assert sorted(found.memories) == ["deadline", "test-command"] and list(found.problems) == ["latin.md"]


def test_a_memory_path_that_is_a_file_is_one_clear_line_and_a_save_a_clear_error(tmp_path):
    (tmp_path / ".harness").mkdir()
    (tmp_path / ".harness" / "memory").write_text("not a folder", encoding="utf-8")
    script = [step(tool_use=[{"name": "memory", "input": SAVE}]),
              step(text="I could not save it.", expect={"tool_result_is_error": True,
                                                        "tool_result_contains": ".harness/memory is a file, not a "
                                                                                "folder"})]
    with ScriptedServer(script) as server:
        result = run_chapter("s09_memory_system", "-q", "Remember the deadline.", cwd=tmp_path, env=endpoint(server))
    assert (result.returncode, result.stdout) == (0, "I could not save it.\n"), result.stderr
    assert "Traceback" not in result.stderr
    server.assert_done()
    lines = [line for line in result.stderr.splitlines() if line.startswith("memory: ")]
    assert lines == ["memory: .harness/memory is a file, not a folder: no memory can be read or saved until it is "
                     "moved away"]
    # /memory says the same, instead of "no memories yet"
    agent = Harness(ScriptedModel([]), AgentConfig(model="claude-test"), tmp_path, tools=TOOLS, extensions=[Memory()])
    out = io.StringIO()
    slash(agent, "/memory", Console(file=out, width=300, color_system=None))
    assert out.getvalue().splitlines() == [lines[0]]
