"""What is shown is what is sent: with every extension of s10 and s11 on, `/context` and `/prompt`
describe the request the model really gets, and each extension's section is built once per request."""

import io
import re
from collections import Counter

import pytest
from rich.console import Console

from s01_agent_loop.cli.testing import build_agent, slash
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s06_context_compact.tokens import estimate_tokens
from s10_system_prompt.wiring import CHAPTER as S10
from s11_error_recovery.wiring import CHAPTER as S11


def agent_of(chapter, tmp_path, script):
    (tmp_path / "CLAUDE.md").write_text("Project rule: keep answers short.\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("hello\n", encoding="utf-8")
    model = ScriptedModel(script)
    return build_agent(chapter, tmp_path, model, "--permission-mode", "bypassPermissions"), model


def script(reads: int) -> list:
    return [*(tool_use("read_file", path="notes.txt") for _ in range(reads)), text("done")]


@pytest.mark.parametrize("chapter", [S10, S11], ids=["s10", "s11"])
def test_the_context_system_row_is_the_system_prompt_as_sent(chapter, tmp_path):
    agent, model = agent_of(chapter, tmp_path, script(2))
    agent.run("read the notes twice")
    sent = model.calls[-1]
    out = Console(file=io.StringIO(), width=120, color_system=None)
    slash(agent, "/context", out)
    row = re.search(r"system prompt\s+([\d,]+)", out.file.getvalue()).group(1)
    assert int(row.replace(",", "")) == estimate_tokens(sent["system"])
    assert len(sent["system"]) >= 5  # s10's sections, not s02's single identity
    # and the request a reader builds is the one that goes out: same system, same tools
    assert agent.request()["system"] == sent["system"] and agent.request()["tools"] == sent["tools"]


@pytest.mark.parametrize("chapter", [S10, S11], ids=["s10", "s11"])
def test_each_extension_builds_its_section_once_per_request(chapter, tmp_path):
    agent, model = agent_of(chapter, tmp_path, script(3))
    calls = Counter()
    def counting(name, original):
        def counted(agent):
            calls[name] += 1
            return original(agent)
        return counted

    for extension in agent.extensions:
        extension.system_prompt = counting(type(extension).__name__, extension.system_prompt)
    agent.run("read the notes three times")
    assert len(model.calls) == 4
    assert set(calls.values()) == {4}, calls  # every extension, once for each of the 4 requests
