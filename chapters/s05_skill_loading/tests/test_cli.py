"""s05 end to end: the command line, the real SDK, the scripted model standing in for the API."""

import re
import shutil
from pathlib import Path

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import ScriptedServer, step


def test_demo_loads_skills_on_demand_and_follows_them():
    result = run_chapter("s05_skill_loading", "--demo", "--keep")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2 skills" in out and "skipped .claude/skills/release-notes/SKILL.md" in out  # /skills
    assert "Loaded the project skill 'python-testing'" in out and "Loaded the project skill 'changelog'" in out
    assert "OK" in out
    scratch = Path(re.search(r"scratch project is kept at (\S+)", result.stderr).group(1))
    changelog = (scratch / "CHANGELOG.md").read_text(encoding="utf-8")
    shutil.rmtree(scratch)
    assert changelog.startswith("# Changelog") and "### Fixed" in changelog and "`median_word_length`" in changelog


def test_query_loads_a_project_skill_and_reads_a_user_skills_file_with_bash(tmp_path):
    project = tmp_path / "project"
    greeting = project / ".claude" / "skills" / "greeting"
    greeting.mkdir(parents=True)
    (greeting / "SKILL.md").write_text(
        "---\nname: greeting\ndescription: How to greet users of this project.\n---\n"
        "Greet in French. The exact words are in words.txt.\n", encoding="utf-8")
    (greeting / "words.txt").write_text("Bonjour et bienvenue\n", encoding="utf-8")
    signoff = Path.home() / ".claude" / "skills" / "signoff"  # HOME is private to this test
    signoff.mkdir(parents=True)
    (signoff / "SKILL.md").write_text(
        "---\nname: signoff\ndescription: How to end a message.\n---\nEnd with the line in line.txt.\n",
        encoding="utf-8")
    (signoff / "line.txt").write_text("A bientot\n", encoding="utf-8")
    script = [
        step(tool_use=[{"name": "Skill", "input": {"name": "greeting"}}],
             expect={"tools": ["Skill", "read_file", "bash"], "system_contains": "- greeting: How to greet users"}),
        step(tool_use=[{"name": "read_file", "input": {"path": ".claude/skills/greeting/words.txt"}}],
             expect={"tool_result_contains": "Greet in French."}),
        step(tool_use=[{"name": "Skill", "input": {"name": "signoff"}}],
             expect={"tool_result_contains": "Bonjour et bienvenue", "system_contains": "- signoff: How to end"}),
        step(tool_use=[{"name": "bash", "input": {"command": f"cat '{signoff / 'line.txt'}'"}}],
             expect={"tool_result_contains": "read them with bash"}),
        step(tool_use=[{"name": "Skill", "input": {"name": "farewell"}}],
             expect={"tool_result_contains": "A bientot"}),
        step(text="Bonjour et bienvenue! A bientot",
             expect={"tool_result_is_error": True, "tool_result_contains": "Known skills: greeting, signoff."}),
    ]
    env = {"ANTHROPIC_API_KEY": "k"}
    with ScriptedServer(script) as server:
        env["ANTHROPIC_BASE_URL"] = server.url
        result = run_chapter("s05_skill_loading", "-q", "greet me", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Bonjour et bienvenue! A bientot\n"
    server.assert_done()
