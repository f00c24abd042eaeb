"""One task against a real Messages API endpoint. Skipped unless a key is set in the environment
that started the suite (ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN; ANTHROPIC_BASE_URL and MODEL_ID
are used when set)."""

import os

import pytest

from s01_agent_loop.cli.testing import run_chapter

pytestmark = pytest.mark.live


def test_s02_does_a_small_task_with_a_real_model(tmp_path):
    env = {k: v for k, v in os.environ.items() if k.startswith("ANTHROPIC_") or k == "MODEL_ID"}
    if not (env.get("ANTHROPIC_API_KEY") or env.get("ANTHROPIC_AUTH_TOKEN")):
        pytest.skip("no ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN set")
    (tmp_path / "numbers.txt").write_text("3\n4\n5\n")
    result = run_chapter(
        "s02_tool_use", "-q",
        "Read numbers.txt, add the numbers up, and write only the sum to sum.txt.",
        cwd=tmp_path, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sum.txt").read_text().strip() == "12"
