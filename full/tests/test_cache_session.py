"""The issue's two checks on full's whole agent, against the scripted model through the real SDK:
- a 30-request session reads at least 90% of every request after the first from the prompt cache;
- `/context` (s06) is computed from exactly the request the model then receives.

The agent is full's, built by its wiring, on a copy of the sample project with every capability
configured the way the chapters' demos configure them: permission rules (s07), hooks (s08), skills
(s05), agent types (s04), a memory (s09), CLAUDE.md (s10), an MCP server (s19), in a git repository.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from rich.console import Console

from full.wiring import CHAPTER
from s01_agent_loop.cli.demo import scratch_project
from s01_agent_loop.cli.settings import Settings
from s01_agent_loop.cli.testing import RecordingView, build_agent, tagged, wait_until
from s01_agent_loop.model import AnthropicModel
from s01_agent_loop.scripted import ScriptedServer, say, step
from s02_tool_use.extension import Extension, Section
from s02_tool_use.harness import IDENTITY, Request
from s06_context_compact.tokens import estimate_tokens, parts_of
from s09_memory_system.store import MemoryMeta, save

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
MIN_SHARE = 0.90


def overlay(chapter: str) -> Path:
    return CHAPTERS / chapter / "src" / chapter / "demo_overlay"


def configured_project(tag: str) -> Path:
    """The sample project with every capability configured, as a git repository."""
    workdir = scratch_project(tuple(overlay(c) for c in ("s04_subagent", "s05_skill_loading", "s07_permission_system",
                                                         "s08_hook_system", "s10_system_prompt", "s19_mcp_plugin")))
    claude = workdir / ".claude"
    # s07's rules and s19's in one settings.json; s08's hooks and s19's approval in settings.local.json
    s07 = json.loads((overlay("s07_permission_system") / ".claude" / "settings.json").read_text(encoding="utf-8"))
    s19 = json.loads((overlay("s19_mcp_plugin") / ".claude" / "settings.json").read_text(encoding="utf-8"))
    for behavior, rules in s19["permissions"].items():
        s07["permissions"][behavior] = [*s07["permissions"].get(behavior, []), *rules]
    (claude / "settings.json").write_text(json.dumps(s07, indent=2), encoding="utf-8")
    hooks = json.loads((overlay("s08_hook_system") / ".claude" / "settings.local.json").read_text(encoding="utf-8"))
    (claude / "settings.local.json").write_text(json.dumps({**hooks, "enabledMcpjsonServers": ["wordstats"]}),
                                                encoding="utf-8")
    mcp = json.loads((workdir / ".mcp.json").read_text(encoding="utf-8"))
    mcp["mcpServers"]["wordstats"]["env"] = {"WORDSTATS_NOTE": tag}  # to find its process afterwards
    (workdir / ".mcp.json").write_text(json.dumps(mcp), encoding="utf-8")
    save(workdir, MemoryMeta(name="test-command", description="how to run the tests", type="project"),
         "Run the tests with `python -m unittest`.")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "sample"]):
        subprocess.run([*git, *command], cwd=workdir, check=True, capture_output=True)
    return workdir


MEDIAN_FIX = ("    if len(lengths) % 2:\n        return lengths[middle]\n"
              "    return (lengths[middle - 1] + lengths[middle]) / 2")


def session() -> list[tuple[str, list]]:
    """Ten prompts and the 32 replies that answer them (30 to the agent, 2 to a subagent it starts):
    text, and tool calls of most chapters."""
    return [
        ("Give me an overview of @README.md and the code.", [
            step("Three looks at once.", [
                {"name": "read_file", "input": {"path": "wordstats/stats.py"}},
                {"name": "glob", "input": {"pattern": "**/*.py"}},
                {"name": "mcp__wordstats__word_count", "input": {"path": "texts/lighthouse.txt"}}]),
            step(tool_use=[{"name": "grep", "input": {"pattern": "def ", "path": "wordstats"}}]),
            say("wordstats counts words, lines and top words; the median is computed in stats.py."),
        ]),
        ("Run the tests, the way the python-testing skill says.", [
            step(tool_use=[{"name": "Skill", "input": {"name": "python-testing"}}]),
            step(tool_use=[{"name": "bash", "input": {"command": "python -m unittest"}}]),
            say("One test fails: test_median_even.", expect={"tool_result_contains": "FAILED"}),
        ]),
        ("Plan the fix as tasks.", [
            step(tool_use=[{"name": "TaskCreate", "input": {"subject": "Fix the median for even counts"}}]),
            step(tool_use=[{"name": "TaskCreate", "input": {"subject": "Run the tests"}}]),
            say("Two tasks: the fix, then the tests."),
        ]),
        ("Remember that the tests run with python -m unittest.", [
            step(tool_use=[{"name": "memory", "input": {"action": "save", "name": "unittest",
                                                        "description": "the test command", "type": "project",
                                                        "content": "python -m unittest"}}]),
            say("Saved."),
        ]),
        ("Run the suite in the background and look at the tests meanwhile.", [
            step(tool_use=[{"name": "bash", "input": {"command": "python -m unittest", "run_in_background": True}}]),
            step(tool_use=[{"name": "read_file", "input": {"path": "tests/test_stats.py"}}]),
            step(tool_use=[{"name": "JobList", "input": {}}]),
            say("The suite ran in the background; the tests cover counts, top words and the median."),
        ]),
        ("Have the reviewer look at the median code.", [
            step(tool_use=[{"name": "Task", "input": {"description": "Review the median", "subagent_type": "reviewer",
                                                      "prompt": "Review median_word_length in wordstats/stats.py."}}]),
            step(tool_use=[{"name": "read_file", "input": {"path": "wordstats/stats.py"}}]),  # the reviewer's
            say("An even count returns the upper middle length, not the mean of the two."),  # the reviewer's
            say("The reviewer confirms the bug: an even count needs the mean of the two middle lengths.",
                expect={"tool_result_contains": "upper middle"}),
        ]),
        ("Delete the build folder.", [
            step(tool_use=[{"name": "bash", "input": {"command": "rm -rf build"}}]),
            say("Deleting is denied here.", expect={"tool_result_contains": "denied"}),
        ]),
        ("Check the tests every morning.", [
            step(tool_use=[{"name": "CronCreate", "input": {"cron": "0 9 * * *", "prompt": "run the tests"}}]),
            say("Scheduled for 9:00 every day, for this session."),
        ]),
        ("Fix the median.", [
            step(tool_use=[{"name": "TaskUpdate", "input": {"taskId": "1", "status": "in_progress"}}]),
            step(tool_use=[{"name": "edit_file", "input": {"path": "wordstats/stats.py",
                                                           "old_string": "    return lengths[middle]",
                                                           "new_string": MEDIAN_FIX}}]),
            step(tool_use=[{"name": "bash", "input": {"command": "python -m unittest"}}]),
            step(tool_use=[{"name": "TaskUpdate", "input": {"taskId": "1", "status": "completed"}}],
                 expect={"tool_result_contains": "OK"}),
            say("Fixed: an even count averages the two middle lengths; the tests pass."),
        ]),
        ("And what is in @texts?", [
            step(tool_use=[{"name": "mcp__wordstats__top_words", "input": {"path": "texts/lighthouse.txt", "n": 3}}]),
            step(tool_use=[{"name": "grep", "input": {"pattern": "light", "path": "texts"}}]),
            step(tool_use=[{"name": "read_file", "input": {"path": "texts/lighthouse.txt", "limit": 3}}]),
            say("One text, lighthouse.txt; its top word is 'the'."),
        ]),
    ]


class Probe(Extension):
    """Plugged in last: at each request, /context as the user would see it then, and the usage the
    scripted server reported for it."""

    def __init__(self, server: ScriptedServer):
        self.server = server
        self.sent: list[int] = []  # the index in server.requests of each of this agent's requests
        self.context: list[str] = []  # `/context`'s output just before each request
        self.drafted: list[dict] = []  # agent.request() at that moment
        self.unshaped: list[dict] = []  # the same parts before any shape_request: another assembly
        self.usage: list[dict] = []

    def before_request(self, agent) -> None:
        console = Console(file=io.StringIO(), record=True, width=200, color_system=None)
        agent.commands()["context"].run(agent, "", console)
        self.context.append(console.export_text())
        self.drafted.append(agent.request())
        sections = [Section("identity", IDENTITY.format(workdir=agent.workdir)),
                    *(section for ext in agent.extensions if (section := ext.system_prompt(agent)) and section.text)]
        self.unshaped.append(Request(agent.config.model, agent.config.max_tokens, sections, agent.tools.specs(),
                                     agent.messages).params())

    def wrap_model_call(self, agent, request, call_next):
        reply = call_next(request)
        self.sent.append(len(self.server.requests) - 1)  # subtle: a subagent's requests come in between
        usage = reply.usage
        self.usage.append({"input": usage.input_tokens, "cache_read": usage.cache_read_input_tokens or 0,
                           "cache_write": usage.cache_creation_input_tokens or 0})
        return reply


def mine(server: ScriptedServer, probe: Probe) -> list[dict]:
    """The bodies of the agent's own requests, without its subagent's."""
    return [server.requests[n] for n in probe.sent]


def share(usage: dict) -> float:
    return usage["cache_read"] / (usage["input"] + usage["cache_read"] + usage["cache_write"])


def play(workdir: Path):
    """Run the session; the server, the probe and the view, after the agent has closed."""
    prompts = session()
    replies = [reply for _, script in prompts for reply in script]
    view = RecordingView()
    with ScriptedServer(replies) as server:
        probe = Probe(server)
        model = AnthropicModel(Settings(api_key="scripted", base_url=server.url, model="claude-test"))
        agent = build_agent(CHAPTER, workdir, model, view=view)
        agent.use(probe)
        try:
            for prompt, _ in prompts:
                agent.run(prompt)
        finally:
            agent.close()
    server.assert_done()
    return server, probe, view


@pytest.fixture(scope="module")
def played():
    tag = f"full-cache-{uuid.uuid4().hex[:8]}"
    workdir = configured_project(tag)
    try:
        yield (*play(workdir), workdir)
        assert wait_until(lambda: not tagged(tag, "WORDSTATS_NOTE"), 10), "the MCP server outlived the session"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------


def test_the_session_uses_every_configured_capability(played):
    server, probe, view, workdir = played
    assert len(server.requests) == 32 and len(probe.sent) == 30
    first = server.requests[0]
    system = "\n".join(block["text"] for block in first["system"])
    assert "python-testing" in system and "test-command" in system and "CLAUDE.md" in system
    assert "mcp__wordstats__word_count" in [tool["name"] for tool in first["tools"]]
    [reviewer] = [body for n, body in enumerate(server.requests) if n not in probe.sent][:1]
    assert "reviewer" in json.dumps(reviewer["system"]) and len(reviewer["tools"]) < len(first["tools"])
    sent = json.dumps(server.requests[-1]["messages"])
    assert "Test suite when this prompt was sent" in sent  # s08's UserPromptSubmit hook ran
    assert "The user attached the file README.md" in sent and "The user attached the folder texts/" in sent
    assert "Bash(rm:*)" in sent  # s07 denied the rm
    assert "(lengths[middle - 1] + lengths[middle]) / 2" in (workdir / "wordstats" / "stats.py").read_text()


def test_every_request_after_the_first_reads_90_percent_from_the_cache(played):
    server, probe, view, workdir = played
    shares = [share(usage) for usage in probe.usage]
    assert len(shares) == 30
    print("cache-read shares:", " ".join(f"{s:.3f}" for s in shares))
    low = {n: round(s, 3) for n, s in enumerate(shares[1:], 2) if s < MIN_SHARE}
    assert not low, f"requests under {MIN_SHARE:.0%} read from the cache: {low}"


# ---------------------------------------------------------------------------------------------
# /context equals the request sent


def shown_parts(context_output: str) -> dict[str, int]:
    """The token numbers of /context's table rows, by row name."""
    rows = re.findall(r"^\s*(system prompt|tools|messages|tool results)\s+([\d,]+)\s", context_output, re.MULTILINE)
    return {name: int(number.replace(",", "")) for name, number in rows}


def body_parts(body: dict) -> dict[str, int]:
    """The same parts, estimated from the body the scripted server received."""
    parts = parts_of(body)
    return {"system prompt": parts.system, "tools": parts.tools, "messages": parts.messages,
            "tool results": parts.tool_results}


def test_context_is_computed_from_the_request_the_model_receives(played):
    """Each /context, taken just before a request (after every extension's before_request), shows
    the parts of the body the server then received, and a size within 1% of the server's count."""
    server, probe, view, workdir = played
    for n, (shown, drafted, body, usage) in enumerate(zip(probe.context, probe.drafted, mine(server, probe), probe.usage,
                                                          strict=True), 1):
        sent = {key: body[key] for key in ("system", "tools", "messages")}
        assert {key: drafted[key] for key in sent} == sent, f"request {n}: agent.request() is not what was sent"
        parts = shown_parts(shown)
        assert parts == body_parts(body), f"request {n}: /context showed {parts}, the body has {body_parts(body)}"
        assert sum(parts.values()) == sum(estimate_tokens(body[key]) for key in ("system", "tools", "messages"))
        headline = int(re.search(r"context: ([\d,]+) tokens", shown).group(1).replace(",", ""))
        counted = usage["input"] + usage["cache_read"] + usage["cache_write"]
        assert abs(headline - counted) <= 0.01 * counted, f"request {n}: /context said {headline}, sent {counted}"


def test_the_check_fails_for_context_from_another_assembly(played):
    """The comparison above can fail: the same extensions' sections and tools, assembled without
    s10's shaping (order, breakpoints, stable tool order), give other parts than the body has."""
    server, probe, view, workdir = played
    for n, (other, body) in enumerate(zip(probe.unshaped, mine(server, probe), strict=True), 1):
        assert body_parts(other) != body_parts(body), f"request {n}"
