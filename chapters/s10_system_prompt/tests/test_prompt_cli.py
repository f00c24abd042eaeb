"""s10 end to end: the demo, `-q` against the scripted server (what the real SDK sends), `/prompt`."""

import io

from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, run_chapter, slash
from s01_agent_loop.scripted import PromptCache, ScriptedModel, ScriptedServer, step, text
from s02_tool_use import Harness
from s02_tool_use.wiring import TOOLS
from s10_system_prompt import SystemPrompt


def project(tmp_path):
    """A work dir with a CLAUDE.md, and a home folder with the user's own."""
    home, workdir = tmp_path / "home", tmp_path / "work"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / "CLAUDE.md").write_text("User rule: British spelling.", encoding="utf-8")
    workdir.mkdir()
    (workdir / "CLAUDE.md").write_text("Project rule: tabs, never spaces. @docs/more.md", encoding="utf-8")
    (workdir / "docs").mkdir()
    (workdir / "docs" / "more.md").write_text("Imported rule: no emoji.", encoding="utf-8")
    (workdir / "data.txt").write_text("42\n", encoding="utf-8")
    return home, workdir, {"HOME": str(home), "USERPROFILE": str(home), "ANTHROPIC_API_KEY": "k"}


def test_demo_shows_the_prompt_and_follows_claude_md():
    result = run_chapter("s10_system_prompt", "--demo")
    assert result.returncode == 0, result.stderr
    screen = " ".join(result.stdout.split())
    assert screen.count("system prompt: ") == 2 and "◆ static end" in screen and "◆ system end" in screen
    assert "docs/naming.md project, imported by docs/style.md" in screen
    assert "Contents of CLAUDE.local.md (user's private project instructions, not checked in)" in screen
    assert "test_regression_even_count_took_upper_middle" in screen and "Ran 5 tests" in screen
    assert "this request's: static end, last message, system end" in screen
    share = int(screen.split("read from the cache (")[1].split("%")[0])
    assert share >= 70


def test_query_sends_sections_and_breakpoints_and_reads_the_cache(tmp_path):
    home, workdir, env = project(tmp_path)
    script = [
        step(tool_use=[{"name": "read_file", "input": {"path": "data.txt"}}],
             expect={"system_contains": "Contents of docs/more.md", "tools": ["read_file", "bash"]}),
        step(tool_use=[{"name": "bash", "input": {"command": "wc -c data.txt"}}],
             expect={"tool_result_contains": "42", "system_contains": "User rule: British spelling."}),
        step(text="data.txt holds 42.", expect={"system_contains": "Project rule: tabs"}),
    ]
    with ScriptedServer(script) as server:
        result = run_chapter("s10_system_prompt", "-q", "What is in data.txt?", "--permission-mode",
                             "bypassPermissions", cwd=workdir, env=env | {"ANTHROPIC_BASE_URL": server.url})
    server.assert_done()
    assert (result.returncode, result.stdout) == (0, "data.txt holds 42.\n"), result.stderr
    first, *later = server.requests
    assert all(request["system"] == first["system"] and request["tools"] == first["tools"] for request in later)
    marked = [i for i, block in enumerate(first["system"]) if block.get("cache_control")]
    assert marked == [2, len(first["system"]) - 1]  # after identity, tool tips and s03's planning; at the end
    cache = PromptCache()
    usages = [cache.usage_for(request) for request in server.requests]
    for usage in usages[1:]:
        total = sum(usage[k] for k in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"))
        assert usage["cache_read_input_tokens"] > 0.9 * total


def test_slash_prompt_from_the_command_line(tmp_path):
    home, workdir, env = project(tmp_path)
    result = run_chapter("s10_system_prompt", "-q", "/prompt claude_md", cwd=workdir, env=env)
    assert result.returncode == 0, result.stderr
    screen = " ".join(result.stderr.split())
    assert "── claude_md (dynamic, " in screen
    assert f"Contents of {home / '.claude' / 'CLAUDE.md'} (user's private global instructions" in screen
    assert "Contents of docs/more.md (project instructions, checked into the codebase; imported by CLAUDE.md)" in screen


def test_slash_prompt_lists_sections_and_the_cache_share(tmp_path):
    home, workdir, _ = project(tmp_path)
    agent = Harness(ScriptedModel([text("hi"), text("again")]), AgentConfig(model="m"), workdir, RecordingView(),
                    tools=TOOLS, extensions=[SystemPrompt(home=home)])
    out = Console(file=io.StringIO(), width=120, color_system=None)
    slash(agent, "/prompt", out)
    agent.run("hello")
    agent.run("hello again")
    slash(agent, "/prompt", out)
    slash(agent, "/prompt nope", out)
    screen = out.file.getvalue()
    for name in ("(6 tools)", "identity", "tool_guidance", "claude_md", "environment"):
        assert name in screen
    assert "this request's: static end, system end" in screen  # before the first prompt: no message to mark
    assert "this request's: static end, last message, system end" in screen
    assert "  CLAUDE.md  project\n    docs/more.md  project, imported by CLAUDE.md" in screen
    assert "prompt cache: 2 requests this session" in screen
    assert "no section 'nope'; the sections are: identity, tool_guidance, claude_md, environment" in screen
