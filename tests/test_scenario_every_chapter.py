"""Every chapter runs `-q --scenario FILE` against a scenario written here: no key, no network."""

import pytest

from s01_agent_loop.cli.testing import run_chapter

CHAPTERS = ["s01_agent_loop", "s02_tool_use", "s03_todo_write", "s04_subagent", "s05_skill_loading",
            "s06_context_compact", "s07_permission_system", "s08_hook_system", "s09_memory_system",
            "s10_system_prompt", "s11_error_recovery", "s12_task_system", "s13_background_tasks",
            "s14_cron_scheduler", "s15_agent_teams", "s16_team_protocols", "s17_autonomous_agents", "s18_worktree_task_isolation",
            "s19_mcp_plugin", "s20_tool_refactor", "full"]

SCENARIO = """title: count the notes
steps:
  - model:
      text: "Counting."
      tool_use: [{name: bash, input: {command: "wc -l notes.txt"}}]
  - model:
      text: "notes.txt has 3 lines."
      expect: {tool_result_contains: "3 notes.txt"}
"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_q_with_a_scenario_needs_no_key(tmp_path, chapter):
    (tmp_path / "notes.txt").write_text("a\nb\nc\n", encoding="utf-8")
    (tmp_path / "count.yaml").write_text(SCENARIO, encoding="utf-8")
    result = run_chapter(chapter, "-q", "how long is notes.txt?", "--scenario", "count.yaml",
                         "--permission-mode" if has_modes(chapter) else "--max-turns",
                         "bypassPermissions" if has_modes(chapter) else "5", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "notes.txt has 3 lines.\n"), result.stderr


def has_modes(chapter: str) -> bool:
    """Whether the chapter has s07's permission modes (`full` has every chapter)."""
    return chapter == "full" or chapter >= "s07"
