"""Agent files: Claude Code's frontmatter format, checked, with every problem naming its file."""

import pytest

from s04_subagent.agent_types import AgentFileError, load_agent_types, parse_agent_file

KNOWN = ["bash", "read_file", "write_file", "edit_file", "glob", "grep"]


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize(
    ("frontmatter", "expected"),
    [
        ("tools: read_file, grep", ["read_file", "grep"]),
        ("tools: [read_file, grep]", ["read_file", "grep"]),
        ("tools:\n  - read_file\n  - grep", ["read_file", "grep"]),
        ("tools: Read, Grep, Bash, grep", ["read_file", "grep", "bash"]),  # Claude Code's names, deduplicated
        ("tools: []", []),
        ("color: blue", None),  # no tools: every tool a subagent may have; unknown keys are ignored
    ],
)
def test_tools_come_as_a_comma_separated_string_or_a_yaml_list(tmp_path, frontmatter, expected):
    path = write(tmp_path, "a.md", f"---\nname: a\ndescription: An agent.\n{frontmatter}\n---\nBody.\n")
    assert parse_agent_file(path, KNOWN).tools == expected


def test_a_file_gives_name_description_model_instructions_and_source(tmp_path):
    text = "\ufeff---\r\nname: reviewer\r\ndescription: Reviews.\r\nmodel: claude-x\r\n---\r\n\r\nBe strict.\r\n"
    agent_type = parse_agent_file(write(tmp_path, "r.md", text), KNOWN, "user")
    assert (agent_type.name, agent_type.description, agent_type.model) == ("reviewer", "Reviews.", "claude-x")
    assert agent_type.prompt == "Be strict." and agent_type.source == "user"
    for alias in ("inherit", "sonnet", "Opus", "haiku"):
        path = write(tmp_path, "m.md", f"---\nname: m\ndescription: d\nmodel: {alias}\n---\n")
        assert parse_agent_file(path, KNOWN).model is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name: x\ndescription: no fences\n", "no YAML frontmatter"),
        ("---\nname: x\ndescription: never closed\n", "no YAML frontmatter"),
        ("---\nname: [x\ndescription: d\n---\n", "not valid YAML"),
        ("---\njust a line\n---\n", "must be a mapping of fields, not a str"),
        ("---\ndescription: nameless\n---\n", "name: Field required"),
        ("---\nname: x\n---\n", "description: Field required"),
        ("---\nname: two words\ndescription: d\n---\n", "name: String should match pattern"),
        ("---\nname: x\ndescription: d\ntools: read_file, reed_file, Write\n---\n", "unknown tool reed_file"),
        ("---\nname: x\ndescription: d\ntools: [Task, nope]\n---\n", "unknown tools Task, nope (a subagent cannot start subagents)"),
        ("---\nname: x\ndescription: d\nisolation: sandbox\n---\n", "isolation: Input should be 'worktree'"),
    ],
)
def test_a_malformed_file_raises_an_error_that_names_it(tmp_path, text, problem):
    path = write(tmp_path, "bad.md", text)
    with pytest.raises(AgentFileError) as caught:
        parse_agent_file(path, KNOWN)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)


def test_loading_skips_bad_files_with_a_warning_and_project_overrides_user_overrides_built_in(tmp_path):
    home, project = tmp_path / "home", tmp_path / "project"
    write(home / ".claude" / "agents", "mine.md", "---\nname: mine\ndescription: User only.\n---\n")
    write(home / ".claude" / "agents", "rev.md", "---\nname: reviewer\ndescription: User's.\n---\n")
    write(project / ".claude" / "agents", "rev.md", "---\nname: reviewer\ndescription: Project's.\n---\n")
    write(project / ".claude" / "agents", "explore.md", "---\nname: Explore\ndescription: Ours.\ntools: grep\n---\n")
    bad = write(project / ".claude" / "agents", "bad.md", "---\nname: bad\n---\n")
    write(project / ".claude" / "agents", "notes.txt", "not an agent file")

    catalog = load_agent_types(project, KNOWN, home)
    assert list(catalog.types) == ["general-purpose", "Explore", "mine", "reviewer"]
    assert catalog.types["reviewer"].description == "Project's." and catalog.types["reviewer"].source == "project"
    assert catalog.types["mine"].source == "user"
    assert catalog.types["Explore"].tools == ["grep"] and catalog.types["general-purpose"].source == "built-in"
    assert catalog.warnings == [f"{bad}: description: Field required"]


def test_no_agent_folders_means_the_built_ins_only(tmp_path):
    catalog = load_agent_types(tmp_path, KNOWN, tmp_path)
    assert list(catalog.types) == ["general-purpose", "Explore"] and catalog.warnings == []
