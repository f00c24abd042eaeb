"""`/export [FILE]`: the conversation as Markdown (full's `Export`)."""

from __future__ import annotations

import io
from datetime import datetime

from rich.console import Console

from full.attach import Attachments
from full.export import Export, fenced
from s01_agent_loop.agent import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, build_agent, slash
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s02_tool_use.harness import Harness
from s02_tool_use.wiring import TOOLS
from s06_context_compact.summary import summary_message

NOW = datetime(2026, 11, 26, 9, 30, 5)


def console() -> Console:
    return Console(file=io.StringIO(), width=200, color_system=None)


def said(out: Console) -> str:
    return out.file.getvalue()


def talked(tmp_path, *replies, prompts=("Fix the median, please!",)):
    agent = Harness(ScriptedModel(list(replies)), AgentConfig(model="claude-test"), tmp_path, RecordingView(),
                    tools=TOOLS, extensions=[Attachments(), Export(now=lambda: NOW)])
    for prompt in prompts:
        agent.run(prompt)
    return agent


def test_the_page_has_prompts_text_tool_calls_and_result_previews(tmp_path):
    (tmp_path / "notes.txt").write_text("".join(f"line {n}\n" for n in range(1, 51)), encoding="utf-8")
    agent = talked(tmp_path, tool_use("read_file", path="notes.txt"), tool_use("read_file", path="missing.txt"),
                   text("Read **50 lines**."), prompts=("Fix the median, please! See @notes.txt",))
    out = console()
    slash(agent, "/export", out)
    target = tmp_path / ".harness" / "exports" / "2026-11-26-093005-fix-the-median-please-see-notes.md"
    assert said(out).strip() == f"exported the conversation to {target.relative_to(tmp_path).as_posix()}"
    page = target.read_text(encoding="utf-8")
    assert page.startswith("# Conversation, 2026-11-26 09:30\n")
    assert "## User\n\nFix the median, please! See @notes.txt\n" in page
    prompt = page.index("Fix the median, please! See @notes.txt")
    assert page.index("<summary>added with this prompt (hook output, attached files...) (") > prompt
    assert page.index("The user attached the file notes.txt") > prompt
    assert '**Tool call** `read_file`\n```json\n{\n  "path": "notes.txt"\n}\n```' in page
    assert "Result, first 20 of 50 lines:\n```text\n     1\tline 1\n" in page and "line 21" not in page.split("Result")[1]
    assert "Result (error):\n```text\nFile not found: missing.txt\n```" in page
    assert page.count("## Assistant") == 1 and page.rstrip().endswith("Read **50 lines**.")
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # written whole, no temp file left


def test_export_to_a_file_or_a_folder_the_user_names(tmp_path):
    agent = talked(tmp_path, text("Done."))
    out = console()
    slash(agent, "/export out/chat.md", out)
    assert (tmp_path / "out" / "chat.md").read_text(encoding="utf-8").count("## User") == 1
    assert said(out).strip() == "exported the conversation to out/chat.md"
    slash(agent, "/export out", out)
    assert (tmp_path / "out" / "2026-11-26-093005-fix-the-median-please.md").exists()
    slash(agent, '/export "my chat.md"', out)
    slash(agent, "/export our chat.md", out)
    assert (tmp_path / "my chat.md").exists() and (tmp_path / "our chat.md").exists()
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere.md"
    slash(agent, f"/export {elsewhere}", out)
    assert elsewhere.exists() and str(elsewhere) in said(out)
    elsewhere.unlink()


def test_a_compaction_summary_is_marked_as_one(tmp_path):
    agent = talked(tmp_path, text("Carrying on."))
    summary = summary_message("We fixed the median.", ".harness/transcripts/s-1.jsonl", None, [], [])
    agent.messages[:0] = [summary, {"role": "assistant", "content": [{"type": "text", "text": "Noted."}]}]
    slash(agent, "/export chat.md", console())
    page = (tmp_path / "chat.md").read_text(encoding="utf-8")
    assert "## Compaction summary\n\n> The conversation before this point was compacted" in page
    assert "We fixed the median." in page and page.index("Compaction summary") < page.index("## User")
    assert page.count("## User") == 1  # the summary is not taken for a prompt


def test_nothing_to_export_and_a_failed_write_say_so(tmp_path):
    empty = Harness(ScriptedModel([]), AgentConfig(model="claude-test"), tmp_path, RecordingView(),
                    extensions=[Export(now=lambda: NOW)])
    out = console()
    slash(empty, "/export", out)
    assert said(out).strip() == "nothing to export: the conversation is empty" and not (tmp_path / ".harness").exists()
    agent = talked(tmp_path, text("Done."))
    (tmp_path / "afile").write_text("", encoding="utf-8")
    out = console()
    slash(agent, "/export afile/chat.md", out)
    assert said(out).startswith("export failed:") and "afile/chat.md" in said(out)


def test_a_fence_is_longer_than_the_backticks_inside():
    assert fenced("a ```b``` c", "text") == ["````text", "a ```b``` c", "````"]
    assert fenced("plain", "json") == ["```json", "plain", "```"]


def test_full_offers_export(tmp_path):
    from full.wiring import CHAPTER

    agent = build_agent(CHAPTER, tmp_path, ScriptedModel([text("Hello.")]))
    try:
        agent.run("Say hello")
        out = console()
        slash(agent, "/export hello.md", out)
    finally:
        agent.close()
    page = (tmp_path / "hello.md").read_text(encoding="utf-8")
    assert "## User\n\nSay hello\n" in page and "## Assistant\n\nHello." in page


def test_text_beside_tool_results_is_the_harness_s_not_a_prompt(tmp_path):
    agent = talked(tmp_path, tool_use("glob", pattern="*.md"), text("None."), prompts=("Any docs?",))
    agent.messages[2]["content"].append({"type": "text", "text": "<reminder>update the plan</reminder>"})
    slash(agent, "/export chat.md", console())
    page = (tmp_path / "chat.md").read_text(encoding="utf-8")
    assert page.count("## User") == 1 and page.count("## Assistant") == 1
    assert "<summary>added by the harness (" in page and "<reminder>update the plan</reminder>" in page
    assert page.index("No files match *.md") < page.index("<reminder>") < page.index("None.")
