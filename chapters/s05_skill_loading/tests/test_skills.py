"""Skills: discovery and its warnings, the catalog in the system prompt, the `Skill` tool, `/skills`,
all through the real harness and the scripted model, on skill folders written into tmp_path."""

import argparse
import io
from pathlib import Path

import pytest
from rich.console import Console

from s01_agent_loop import AgentConfig, View
from s01_agent_loop.cli import Session
from s01_agent_loop.cli.testing import RecordingView, slash, system_text
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use import Harness
from s02_tool_use.wiring import TOOLS
from s05_skill_loading import Skills, discover, parse_skill
from s05_skill_loading.catalog import MAX_BUNDLED_FILES
from s05_skill_loading.wiring import build

CONFIG = AgentConfig(model="claude-test")


def write_skill(root: Path, folder: str, frontmatter: str | None, body: str = "Do the thing.") -> Path:
    """`root/.claude/skills/<folder>/SKILL.md`; `frontmatter` is the YAML between the fences."""
    file = root / ".claude" / "skills" / folder / "SKILL.md"
    file.parent.mkdir(parents=True, exist_ok=True)
    head = "" if frontmatter is None else f"---\n{frontmatter}\n---\n"
    file.write_text(head + body + "\n", encoding="utf-8")
    return file


def good(name: str, description: str = "Helps with things.", extra: str = "") -> str:
    return f"name: {name}\ndescription: {description}\n{extra}".strip()


def run(tmp_path, script, skills=None, prompt="go"):
    model, view = ScriptedModel(script), RecordingView()
    agent = Harness(model, CONFIG, tmp_path, view, tools=TOOLS, extensions=[skills or Skills()])
    agent.run(prompt)
    model.assert_done()
    return agent, model, view


def last_result(agent) -> dict:
    return [b for b in agent.messages[-2]["content"] if b["type"] == "tool_result"][-1]


# --- the catalog -----------------------------------------------------------------------------


def test_the_system_prompt_lists_names_and_descriptions_but_not_bodies(tmp_path):
    write_skill(tmp_path, "pdf-tools", good("pdf-tools", "Split and merge PDFs. Use for PDF work."), "SECRET BODY A")
    write_skill(tmp_path, "changelog", "name: changelog\ndescription: >\n  Write a CHANGELOG\n  entry.", "SECRET BODY B")
    _, model, _ = run(tmp_path, [text("ok")])
    system = system_text(model.calls[0])
    assert "- changelog: Write a CHANGELOG entry." in system  # folded YAML, one line, sorted by name
    assert "- pdf-tools: Split and merge PDFs. Use for PDF work." in system
    assert system.index("- changelog") < system.index("- pdf-tools")
    assert "call the Skill tool" in system
    assert "SECRET BODY" not in system
    assert "Skill" in [tool["name"] for tool in model.calls[0]["tools"]]


def test_no_skills_no_section(tmp_path):
    _, model, _ = run(tmp_path, [text("ok")])
    assert "# Skills" not in system_text(model.calls[0])


# --- the Skill tool --------------------------------------------------------------------------


def test_the_skill_tool_returns_the_body_folder_tools_and_bundled_files(tmp_path):
    folder = write_skill(tmp_path, "py-test", good("py-test", extra="allowed-tools: Read, Bash(python -m unittest:*)"),
                         "# Testing\nRun `python -m unittest`.").parent
    for name in ["checklist.md", "scripts/run.sh", "a/b/deep.txt", "a/b/c/too-deep.txt", ".hidden", "x/.git/HEAD"]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x", encoding="utf-8")
    agent, _, _ = run(tmp_path, [tool_use("Skill", name="py-test"), text("done")])
    result = last_result(agent)
    content = result["content"]
    assert not result.get("is_error")
    assert content.endswith("# Testing\nRun `python -m unittest`.")
    assert "description:" not in content and "---" not in content  # the frontmatter is stripped
    assert "Its folder: .claude/skills/py-test" in content  # relative: it is inside the work dir
    assert "Read, Bash(python -m unittest:*)" in content and "not granted" in content
    assert "read them with read_file" in content
    listed = [line[2:] for line in content.splitlines() if line.startswith("- .claude")]
    assert listed == [f".claude/skills/py-test/{p}" for p in ["a/b/deep.txt", "checklist.md", "scripts/run.sh"]]


def test_a_long_list_of_bundled_files_is_capped(tmp_path):
    folder = write_skill(tmp_path, "big", good("big")).parent
    for i in range(MAX_BUNDLED_FILES + 5):
        (folder / f"f{i:02d}.txt").write_text("x", encoding="utf-8")
    agent, _, _ = run(tmp_path, [tool_use("Skill", name="big"), text("done")])
    content = last_result(agent)["content"]
    assert content.count("\n- .claude/skills/big/f") == MAX_BUNDLED_FILES
    assert "- ... and 5 more" in content


def test_an_unknown_skill_is_an_error_listing_the_known_ones(tmp_path):
    write_skill(tmp_path, "alpha", good("alpha"))
    write_skill(tmp_path, "beta", good("beta"))
    agent, _, _ = run(tmp_path, [tool_use("Skill", name="gamma"), text("sorry")])
    result = last_result(agent)
    assert result["is_error"] is True
    assert result["content"] == "Unknown skill 'gamma'. Known skills: alpha, beta."


def test_an_unknown_skill_with_no_skills_at_all_says_so(tmp_path):
    agent, _, _ = run(tmp_path, [tool_use("Skill", name="x"), text("sorry")])
    assert "(none: no .claude/skills/*/SKILL.md was found)" in last_result(agent)["content"]


# --- malformed skills ------------------------------------------------------------------------

MALFORMED = {
    "no-frontmatter": (None, "no YAML frontmatter"),
    "bad-yaml": ("name: bad-yaml\ndescription: Use it: always", "not valid YAML (line 3 of the file): mapping values"),
    "not-a-mapping": ("- name\n- description", "must be a mapping of fields, not a list"),
    "no-description": ("name: no-description", "description: Field required"),
    "no-name": ("description: Has no name.", "name: Field required"),
    "Bad_Name": (good("Bad_Name"), "'Bad_Name' is not a valid skill name"),
    "double--hyphen": (good("double--hyphen"), "is not a valid skill name"),
    "long-description": (good("long-description", "x" * 1025), "at most 1024 characters (it has 1025)"),
    "mismatch": (good("other-name"), "name 'other-name' does not match its folder 'mismatch'"),
}


@pytest.mark.parametrize("folder", MALFORMED)
def test_a_malformed_skill_is_skipped_with_a_warning_naming_its_file(tmp_path, folder):
    frontmatter, problem = MALFORMED[folder]
    write_skill(tmp_path, folder, frontmatter)
    write_skill(tmp_path, "fine", good("fine"))
    catalog = discover(tmp_path, tmp_path / "home")
    assert list(catalog.skills) == ["fine"]
    assert len(catalog.warnings) == 1
    assert catalog.warnings[0].startswith(f".claude/skills/{folder}/SKILL.md: ")
    assert problem in catalog.warnings[0]


def test_warnings_are_shown_to_the_user_once_and_the_rest_still_works(tmp_path):
    write_skill(tmp_path, "broken", "name: broken")
    write_skill(tmp_path, "fine", good("fine"))
    agent, model, view = run(tmp_path, [tool_use("Skill", name="fine"), text("done")])
    assert view.texts == ["skills: skipped .claude/skills/broken/SKILL.md: description: Field required"]
    assert "- fine:" in system_text(model.calls[1]) and "broken" not in system_text(model.calls[1])
    assert last_result(agent)["content"].endswith("Do the thing.")


def test_extra_frontmatter_fields_are_kept_and_allowed_tools_accept_every_spelling(tmp_path):
    extra = "license: MIT\nmetadata:\n  version: '1.0'\nallowed-tools: Bash(git status:*) Read"
    skill = parse_skill(write_skill(tmp_path, "keep", good("keep", extra=extra)), "project")
    assert skill.extra == {"license": "MIT", "metadata": {"version": "1.0"}}
    assert skill.meta.allowed_tools == ["Bash(git status:*)", "Read"]
    listed = parse_skill(write_skill(tmp_path, "listed", good("listed", extra="allowed-tools: [Read, Grep]")), "user")
    assert listed.meta.allowed_tools == ["Read", "Grep"] and listed.source == "user"


# --- where skills come from ------------------------------------------------------------------


def test_a_user_skill_shadows_a_project_skill_of_the_same_name(tmp_path):
    home, project = Path.home(), tmp_path / "project"  # HOME is a private tmp dir (root conftest)
    write_skill(home, "shared", good("shared", "The user's version."), "USER BODY")
    write_skill(home, "mine", good("mine", "Only the user has this."), "MINE BODY")
    write_skill(project, "shared", good("shared", "The project's version."), "PROJECT BODY")
    catalog = discover(project, home)
    assert {name: s.source for name, s in catalog.skills.items()} == {"mine": "user", "shared": "user"}
    assert catalog.skills["shared"].body == "USER BODY"
    [note] = catalog.shadowed
    assert note.startswith(f"user skill 'shared' ({home / '.claude/skills/shared/SKILL.md'}) shadows the project skill")
    assert note.endswith("(.claude/skills/shared/SKILL.md)")


def test_a_user_skill_outside_the_work_dir_points_the_model_at_bash(tmp_path):
    folder = write_skill(Path.home(), "mine", good("mine"), "MINE BODY").parent
    (folder / "notes.md").write_text("x", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    agent, _, _ = run(project, [tool_use("Skill", name="mine"), text("done")])
    content = last_result(agent)["content"]
    assert f"Its folder: {folder}" in content  # absolute: it is outside the work dir
    assert "outside the work dir, where read_file cannot go: read them with bash" in content
    assert f"- {folder / 'notes.md'}" in content


def test_the_home_folder_as_work_dir_reads_its_skills_once(tmp_path):
    write_skill(tmp_path, "solo", good("solo"))
    catalog = discover(tmp_path, tmp_path)
    assert [(s.name, s.source) for s in catalog.skills.values()] == [("solo", "project")]
    assert catalog.shadowed == []


def test_discovery_is_cached_and_slash_skills_rescans(tmp_path):
    write_skill(tmp_path, "first", good("first"))
    skills = Skills()
    model = ScriptedModel([text("one"), text("two"), text("three")])
    agent = Harness(model, CONFIG, tmp_path, tools=TOOLS, extensions=[skills])
    agent.run("a")
    write_skill(tmp_path, "second", good("second", "Added later."))
    write_skill(tmp_path, "broken", None)
    agent.run("b")
    assert "- second:" not in system_text(model.calls[1])  # cached: no rescan per request
    out = io.StringIO()
    slash(agent, "/skills", Console(file=out, width=200))
    listing = out.getvalue()
    assert "2 skills" in listing and "first  project: .claude/skills/first" in listing
    assert "Added later." in listing
    assert "skipped .claude/skills/broken/SKILL.md: no YAML frontmatter" in listing
    agent.run("c")
    assert "- second: Added later." in system_text(model.calls[2])
    model.assert_done()


def test_subagents_share_the_skills():
    skills = Skills()
    assert skills.for_subagent() is skills


def test_no_skill_tool_no_catalog(tmp_path):
    """A subagent type may be given tools without Skill: then the catalog would only mislead it."""
    write_skill(tmp_path, "alpha", good("alpha"))
    model = ScriptedModel([text("ok")])
    agent = Harness(model, CONFIG, tmp_path, tools=TOOLS, extensions=[Skills()])
    agent.tools.remove("Skill")
    agent.run("go")
    assert "# Skills" not in system_text(model.calls[0])


def test_a_subagent_sees_the_catalog_and_loads_a_skill(tmp_path):
    """Through this chapter's whole agent: s04's Task starts a child that inherits `Skills`."""
    write_skill(tmp_path, "alpha", good("alpha"), "ALPHA BODY")
    model = ScriptedModel([
        tool_use("Task", description="use alpha", prompt="Load the alpha skill and report its body."),
        tool_use("Skill", name="alpha"),  # the child's first call
        text("The body says ALPHA BODY."),  # the child's answer
        text("done"),
    ])
    agent = build(Session(model, CONFIG, tmp_path, View(), argparse.Namespace(), interactive=False))
    agent.run("go")
    model.assert_done()
    child_request = model.calls[1]
    assert "- alpha: Helps with things." in system_text(child_request)
    child_result = model.calls[2]["messages"][-1]["content"][0]
    assert child_result["type"] == "tool_result" and child_result["content"].endswith("ALPHA BODY")
    assert "ALPHA BODY" in last_result(agent)["content"]  # the child's report reached the parent
