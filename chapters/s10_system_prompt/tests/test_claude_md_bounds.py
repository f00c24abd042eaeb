"""What the CLAUDE.md chain may add to every request is capped: a huge file is cut (a warning at
SessionStart, a note in the section), the files after a full chain are left out, a binary one is
skipped with one warning."""

from pathlib import Path

from s01_agent_loop.cli.testing import run_chapter, system_text
from s01_agent_loop.scripted import ScriptedServer, say
from s10_system_prompt.claude_md import MAX_CHAIN_CHARS, MAX_FILE_CHARS, read_chain, render

NO_HOME = Path("/nonexistent-home")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_10_mb_claude_md_is_cut_to_the_cap_and_the_user_and_the_model_are_told(tmp_path):
    line = "Always run the tests before you say you are done.\n"
    write(tmp_path / "CLAUDE.md", line * (10 * 2**20 // len(line) + 1) + "THE END")
    size = (tmp_path / "CLAUDE.md").stat().st_size
    with ScriptedServer([say("Fine.")]) as server:
        env = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url}
        result = run_chapter("s10_system_prompt", "-q", "hello", cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout) == (0, "Fine.\n"), result.stderr
    server.assert_done()
    system = system_text(server.requests[0])
    assert MAX_FILE_CHARS < len(system) < MAX_FILE_CHARS + 20_000  # not 10.4 million characters
    assert "THE END" not in system
    assert f"[Cut here: the file is {size:,} bytes, more than the system prompt holds" in system
    said = " ".join(result.stderr.split())  # rich wraps long lines
    assert (f"CLAUDE.md: {tmp_path / 'CLAUDE.md'} is {size:,} bytes: only its first {MAX_FILE_CHARS:,} characters "
            "are in the system prompt") in said


def test_the_whole_chain_is_capped_later_files_cut_then_left_out_and_imports_past_a_cut_not_followed(tmp_path):
    write(tmp_path / "CLAUDE.md", "a" * 30_000 + " @first.md")  # fits: 30,010 characters
    write(tmp_path / "first.md", "b" * 5_000)
    write(tmp_path / ".claude" / "CLAUDE.md", "c" * 9_000 + " @never.md")  # cut: 4,990 characters left
    write(tmp_path / "never.md", "past the cut")
    write(tmp_path / "CLAUDE.local.md", "mine")  # nothing left
    chain = read_chain(tmp_path, NO_HOME)
    assert [len(f.text) for f in chain.files] == [30_010, 5_000, 4_990, 0]
    assert chain.n_chars == MAX_CHAIN_CHARS
    assert [f.path.name for f in chain.files][-1] == "CLAUDE.local.md"  # listed, so the model knows it is there
    assert len(chain.warnings) == 2
    assert "only its first 4,990 characters are in the system prompt" in chain.warnings[0]
    assert "CLAUDE.local.md is left out of the system prompt: the files before it fill it" in chain.warnings[1]
    text = render(chain, tmp_path)
    assert "past the cut" not in text and "never.md" not in chain.warnings[0]
    assert text.endswith("Contents of CLAUDE.local.md (user's private project instructions, not checked in):\n\n"
                         "[Left out: the instruction files before it fill the system prompt (at most 40,000 "
                         "characters of one instruction file, 40,000 of all of them). Read it if it matters.]")


def test_a_file_within_the_caps_is_whole_and_unchanged(tmp_path):
    write(tmp_path / "CLAUDE.md", "x" * MAX_FILE_CHARS)
    chain = read_chain(tmp_path, NO_HOME)
    assert [(len(f.text), f.note) for f in chain.files] == [(MAX_FILE_CHARS, "")] and chain.warnings == []


def test_a_binary_or_utf16_claude_md_is_skipped_with_one_warning(tmp_path):
    (tmp_path / "CLAUDE.md").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 100)
    (tmp_path / "CLAUDE.local.md").write_text("Be brief.", encoding="utf-16")
    write(tmp_path / ".claude" / "CLAUDE.md", "Text, kept.")
    chain = read_chain(tmp_path, NO_HOME)
    assert [f.text for f in chain.files] == ["Text, kept."]
    assert chain.warnings == [
        f"{tmp_path / 'CLAUDE.md'} is not text (it holds NUL bytes: binary, or UTF-16?); skipped",
        f"{tmp_path / 'CLAUDE.local.md'} is not text (it holds NUL bytes: binary, or UTF-16?); skipped"]


def test_a_binary_claude_md_from_the_command_line_is_one_warning_and_the_session_goes_on(tmp_path):
    (tmp_path / "CLAUDE.md").write_bytes(bytes(range(256)) * 4000)
    with ScriptedServer([say("Fine.")]) as server:
        env = {"ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": server.url}
        result = run_chapter("s10_system_prompt", "-q", "hello", cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout) == (0, "Fine.\n"), result.stderr
    server.assert_done()
    assert "Contents of CLAUDE.md" not in system_text(server.requests[0])
    warnings = [line for line in result.stderr.splitlines() if "CLAUDE.md:" in line]
    assert len(warnings) == 1 and "is not text (it holds NUL bytes" in " ".join(result.stderr.split())
