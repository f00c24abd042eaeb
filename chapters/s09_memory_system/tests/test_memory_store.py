"""The memory on disk: files with frontmatter, the rebuilt index, unreadable files kept, the capped
index for the system prompt. Real files in tmp_path."""

from pathlib import Path

import pytest

from s09_memory_system.index import HEADER, snapshot, write_index
from s09_memory_system.store import MemoryMeta, file_for, forget, memory_dir, read_memory, save, scan


def put(workdir: Path, name: str, text: str) -> Path:
    """A memory file written by hand, as a user might."""
    file = memory_dir(workdir) / f"{name}.md"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
    return file


def meta(name="test-command", description="Run the tests with -v", type="feedback") -> MemoryMeta:
    return MemoryMeta(name=name, description=description, type=type)


def index_text(workdir: Path) -> str:
    return (memory_dir(workdir) / "MEMORY.md").read_text(encoding="utf-8")


def test_a_saved_memory_reads_back_exactly(tmp_path):
    tricky = meta(description="Deploy: 'make ship' # not \"make deploy\"", type="project")
    assert save(tmp_path, tricky, "Body with --- a fence-like line\n---\nand more.") == (False, None)
    stored = read_memory(file_for(tmp_path, "test-command"))
    assert stored.meta == tricky  # YAML quoting survives colons, quotes and hashes
    assert stored.body == "Body with --- a fence-like line\n---\nand more."
    assert (tmp_path / ".harness" / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert save(tmp_path, meta(description="changed"), "new body") == (True, None)  # an update
    assert read_memory(file_for(tmp_path, "test-command")).meta.description == "changed"


def test_scan_skips_unreadable_files_and_names_each_problem(tmp_path):
    save(tmp_path, meta(name="good"), "fine")
    put(tmp_path, "no-frontmatter", "just text\n")
    put(tmp_path, "bad-type", "---\nname: bad-type\ndescription: x\ntype: opinion\n---\nbody\n")
    put(tmp_path, "renamed", "---\nname: old-name\ndescription: x\ntype: user\n---\n")
    put(tmp_path, "bad-yaml", "---\nname: [unclosed\n---\n")
    found = scan(tmp_path)
    assert list(found.memories) == ["good"]
    assert set(found.problems) == {"no-frontmatter.md", "bad-type.md", "renamed.md", "bad-yaml.md"}
    assert "no YAML frontmatter" in found.problems["no-frontmatter.md"]
    assert "type: Input should be 'user', 'feedback', 'project' or 'reference'" in found.problems["bad-type.md"]
    assert "does not match the file name 'renamed.md'" in found.problems["renamed.md"]
    assert "not valid YAML" in found.problems["bad-yaml.md"]
    assert (memory_dir(tmp_path) / "no-frontmatter.md").read_text(encoding="utf-8") == "just text\n"


def test_saving_over_an_unreadable_file_moves_it_aside_first(tmp_path):
    put(tmp_path, "notes", "my precious hand-written notes\n")
    existed, moved = save(tmp_path, meta(name="notes"), "new")
    assert existed is False and moved is not None
    assert moved.parent == memory_dir(tmp_path) / "corrupt" and moved.name.startswith("notes-")
    assert moved.read_text(encoding="utf-8") == "my precious hand-written notes\n"
    assert read_memory(file_for(tmp_path, "notes")).body == "new"
    put(tmp_path, "notes", "broken again\n")
    second = forget(tmp_path, "notes")  # forgetting an unreadable file keeps it too
    assert second is not None and second != moved and second.read_text(encoding="utf-8") == "broken again\n"
    assert not file_for(tmp_path, "notes").exists()
    assert list(scan(tmp_path).memories) == [] and scan(tmp_path).problems == {}  # corrupt/ is not scanned


def test_forget_deletes_a_valid_memory(tmp_path):
    save(tmp_path, meta(), "x")
    assert forget(tmp_path, "test-command") is None
    assert not file_for(tmp_path, "test-command").exists()


def test_the_index_is_rebuilt_from_the_files(tmp_path):
    assert write_index(tmp_path, scan(tmp_path)) is False
    assert not (tmp_path / ".harness").exists()  # nothing saved, nothing created
    save(tmp_path, meta(name="b-second", type="project", description="Second"), "x")
    save(tmp_path, meta(name="a-first", type="user", description="First"), "x")
    assert write_index(tmp_path, scan(tmp_path)) is True
    assert index_text(tmp_path) == (f"{HEADER}\n- [a-first](a-first.md) (user): First\n"
                                    "- [b-second](b-second.md) (project): Second\n")
    assert write_index(tmp_path, scan(tmp_path)) is False  # unchanged: not rewritten
    file_for(tmp_path, "a-first").unlink()  # deleted by hand
    put(tmp_path, "c-third", "---\nname: c-third\ndescription: >\n  Folded\n  over lines\ntype: reference\n---\n")
    write_index(tmp_path, scan(tmp_path))
    assert index_text(tmp_path) == (f"{HEADER}\n- [b-second](b-second.md) (project): Second\n"
                                    "- [c-third](c-third.md) (reference): Folded over lines\n")


def test_the_prompt_section_lists_every_memory_under_the_caps(tmp_path):
    for name in ("alpha", "beta"):
        save(tmp_path, meta(name=name, description=f"About {name}"), "x")
    section = snapshot(scan(tmp_path))
    assert section.text.startswith("# Memory\n")
    assert section.text.endswith("- [alpha](alpha.md) (feedback): About alpha\n- [beta](beta.md) (feedback): About beta")
    assert (section.shown, section.left_out) == (["alpha", "beta"], [])
    assert snapshot(scan(tmp_path / "elsewhere")).text.endswith("(No memories yet.)")


@pytest.mark.parametrize("max_lines, max_chars, kept", [(3, 0, 3), (0, 3 * 49, 3), (0, 3 * 49 - 1, 2), (20, 0, 20), (0, 0, 20)])
def test_a_cut_index_says_what_it_left_out(tmp_path, max_lines, max_chars, kept):
    for i in range(20):
        save(tmp_path, meta(name=f"m{i:02d}", description="x" * 20), "x")  # each line is 48 characters and a newline
    section = snapshot(scan(tmp_path), max_lines, max_chars)
    assert section.shown == [f"m{i:02d}" for i in range(kept)]
    assert section.left_out == [f"m{i:02d}" for i in range(kept, 20)]
    assert section.text.count("\n- [m") == kept
    if kept < 20:
        assert f"[{20 - kept} more memories not listed: the index here is cut at " in section.text
        named = ", ".join(f"m{i:02d}" for i in range(kept, kept + 10))
        assert f"Left out: {named}, and {10 - kept} more." in section.text
        assert ".harness/memory/MEMORY.md lists them all.]" in section.text
    else:
        assert "not listed" not in section.text


def test_a_long_hand_written_description_is_cut_in_the_index(tmp_path):
    put(tmp_path, "long", f"---\nname: long\ndescription: {'y' * 500}\ntype: user\n---\n")
    line = snapshot(scan(tmp_path)).text.splitlines()[-1]
    assert line == "- [long](long.md) (user): " + "y" * 199 + "…"
