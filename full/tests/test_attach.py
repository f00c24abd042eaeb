"""`@path` in a prompt attaches the file (full's `Attachments`), as in Claude Code."""

from __future__ import annotations

import json

from full.attach import ATTACH_CHARS, Attachments, mentions
from s01_agent_loop.agent import AgentConfig
from s01_agent_loop.cli.testing import RecordingView, build_agent
from s01_agent_loop.scripted import ScriptedModel, text
from s02_tool_use.files import MAX_LINES
from s02_tool_use.harness import Harness, PromptBlocked
from s02_tool_use.wiring import TOOLS
from s07_permission_system.permissions import Permissions


def agent_on(tmp_path, *extensions, replies=1):
    model = ScriptedModel([text("ok")] * replies)
    agent = Harness(model, AgentConfig(model="claude-test"), tmp_path, RecordingView(), tools=TOOLS,
                    extensions=[*extensions, Attachments()])
    return agent, model


def sent_user_blocks(model) -> list[str]:
    """The text blocks of the first request's user message, in order."""
    return [block["text"] for block in model.calls[0]["messages"][0]["content"]]


def notices(agent) -> list[str]:
    return agent.view.texts


def test_mentions_finds_paths_not_emails():
    prompt = 'look at @a.py and @"my notes.md", @b\\ c.txt; mail me@example.com or @a.py again'
    assert mentions(prompt) == ["a.py", "my notes.md", "b c.txt;"]
    assert mentions("@start.py, then (@x)") == ["start.py,"]
    assert mentions("nothing here: x@y.z") == []


def test_a_file_is_attached_before_the_prompt_with_numbered_lines(tmp_path):
    (tmp_path / "notes.txt").write_text("first\nsecond\n", encoding="utf-8")
    agent, model = agent_on(tmp_path)
    agent.run("what is in @notes.txt?")
    blocks = sent_user_blocks(model)
    assert blocks[-1] == "what is in @notes.txt?"  # the prompt itself is unchanged, and last
    [attached] = blocks[:-1]
    assert "notes.txt" in attached and "     1\tfirst\n     2\tsecond" in attached
    assert any("attached notes.txt (2 lines)" in line for line in notices(agent))


def test_quoted_and_escaped_spaces_and_trailing_punctuation(tmp_path):
    (tmp_path / "my notes.md").write_text("alpha\n", encoding="utf-8")
    (tmp_path / "b c.txt").write_text("beta\n", encoding="utf-8")
    (tmp_path / "d.py").write_text("gamma\n", encoding="utf-8")
    agent, model = agent_on(tmp_path)
    agent.run('compare @"my notes.md" with @b\\ c.txt and @d.py.')
    attached = "\n".join(sent_user_blocks(model)[:-1])
    assert all(f"1\t{word}" in attached for word in ("alpha", "beta", "gamma"))
    assert not any("no such file" in line for line in notices(agent))


def test_a_missing_path_leaves_the_prompt_and_tells_the_user_one_line(tmp_path):
    agent, model = agent_on(tmp_path)
    agent.run("ask @alice about @nowhere.py, or mail bob@example.com")
    assert sent_user_blocks(model) == ["ask @alice about @nowhere.py, or mail bob@example.com"]
    said = [line for line in notices(agent) if "no such file" in line]
    assert said == ["@alice, @nowhere.py: no such file or folder in the work dir; the prompt is sent as it is"]


def test_a_big_file_gives_its_first_part_and_how_to_read_the_rest(tmp_path):
    line = "x" * 99
    (tmp_path / "big.log").write_text(f"{line}\n" * 5000, encoding="utf-8")
    agent, model = agent_on(tmp_path)
    agent.run("@big.log")
    [attached] = sent_user_blocks(model)[:-1]
    assert len(attached) < ATTACH_CHARS + 500
    shown = attached.count(line)
    assert 100 < shown < MAX_LINES
    assert attached.endswith(f"... (lines 1-{shown} of 5000; call read_file with offset={shown + 1} to read more)")


def test_a_folder_gives_its_listing(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("", encoding="utf-8")
    agent, model = agent_on(tmp_path)
    agent.run("what is in @pkg")
    [attached] = sent_user_blocks(model)[:-1]
    assert attached.endswith("its listing:\na.py\nsub/")


def test_a_read_deny_rule_still_applies(tmp_path):
    """Naming a file is not a tool call, but a `Read(...)` deny rule keeps it out, as in Claude Code;
    a folder's listing leaves its denied entries out."""
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text(
        json.dumps({"permissions": {"deny": ["Read(./secrets/**)"]}}), encoding="utf-8")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "key.txt").write_text("hunter2\n", encoding="utf-8")
    (tmp_path / "public.txt").write_text("hello\n", encoding="utf-8")
    agent, model = agent_on(tmp_path, Permissions(home=tmp_path / "home"))
    agent.run("use @secrets/key.txt and @public.txt, list @secrets and @.")
    *attached, prompt = sent_user_blocks(model)
    assert prompt == "use @secrets/key.txt and @public.txt, list @secrets and @."
    assert len(attached) == 2 and "1\thello" in attached[0]
    assert attached[1].endswith("its listing:\n.claude/\npublic.txt\n[1 entry that deny rules hide left out]")
    assert not any("hunter2" in block or "key.txt" in block for block in attached)
    denied = [line for line in notices(agent) if "not attached" in line]
    assert [line.split(" not attached")[0] for line in denied] == ["@secrets/key.txt", "@secrets"]
    assert all("Read(./secrets/**)" in line for line in denied)


def test_outside_the_work_dir_and_binary_files_are_not_attached(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "outside.txt").write_text("secret\n", encoding="utf-8")
    (work / "blob.bin").write_bytes(b"\0\1\2")
    agent, model = agent_on(work)
    agent.run("@../outside.txt @blob.bin")
    assert sent_user_blocks(model) == ["@../outside.txt @blob.bin"]
    assert [line.split(":")[0] for line in notices(agent)] == ["@../outside.txt not attached", "@blob.bin not attached"]


def test_nothing_is_claimed_attached_when_a_hook_blocks_the_prompt(tmp_path):
    from s02_tool_use.extension import Extension, Outcome

    class Blocker(Extension):
        def on_event(self, agent, event, data):
            return Outcome(block="no") if event == "UserPromptSubmit" else None

    (tmp_path / "a.txt").write_text("a\n", encoding="utf-8")
    agent, model = agent_on(tmp_path, Blocker(), replies=0)
    try:
        agent.run("@a.txt")
    except PromptBlocked:
        pass
    assert not any("attached" in line for line in notices(agent)) and not agent.messages


def test_full_wires_attachments_in(tmp_path):
    from full.wiring import CHAPTER

    (tmp_path / "notes.txt").write_text("from the file\n", encoding="utf-8")
    model = ScriptedModel([text("ok")])
    agent = build_agent(CHAPTER, tmp_path, model)
    try:
        agent.run("read @notes.txt")
    finally:
        agent.close()
    user = model.calls[0]["messages"][0]["content"]
    assert user[-1]["text"] == "read @notes.txt"
    assert any("1\tfrom the file" in block["text"] for block in user[:-1])


def test_the_repl_suggests_paths_after_an_at_sign_and_none_a_deny_rule_hides(tmp_path):
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from full.attach import mention_completer
    from full.wiring import CHAPTER

    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text(
        json.dumps({"permissions": {"deny": ["Read(./secrets/**)"]}}), encoding="utf-8")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "wordstats").mkdir()
    (tmp_path / "wordstats" / "stats.py").write_text("", encoding="utf-8")
    (tmp_path / "wordstats" / "my notes.md").write_text("", encoding="utf-8")
    (tmp_path / "setup.py").write_text("", encoding="utf-8")
    agent, _ = agent_on(tmp_path, Permissions(home=tmp_path / "home"))
    agent.run("hi")  # the session has started: its rules are read
    completer = mention_completer(agent)

    def offered(typed: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(typed), CompleteEvent(text_inserted=True))]

    assert offered("look at @") == ["@setup.py", "@wordstats/"]  # no hidden ones, no denied folder
    assert offered("look at @s") == ["@setup.py"]
    assert offered("@wordstats/") == ["@wordstats/my\\ notes.md", "@wordstats/stats.py"]
    assert offered("@wordstats/my\\ n") == ["@wordstats/my\\ notes.md"]
    assert offered("@.c") == ["@.claude/"]
    assert offered("mail me@s") == offered("no at sign") == offered("@../") == []
    assert CHAPTER.completer is mention_completer  # full's REPL offers them
