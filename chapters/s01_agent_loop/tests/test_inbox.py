"""The inbox: typed lines and posted prompts from one queue; a post wakes the line editor and the
half-typed line comes back in the next prompt."""

from __future__ import annotations

import io
import threading
import time

from prompt_toolkit import PromptSession
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from s01_agent_loop.cli.inbox import END, STATUS_EVERY, Inbox, Posted, line_editor, shielded


def test_posted_prompts_come_out_in_order_and_tell_records_what_it_shows():
    inbox = Inbox()
    inbox.post("first", "cron job a")
    inbox.post("second", "cron job b")
    inbox.tell("a background command ended")
    assert inbox.waiting() == [Posted("first", "cron job a"), Posted("second", "cron job b")]
    assert [inbox.next(timeout=0), inbox.next(timeout=0), inbox.next(timeout=0)] == [
        Posted("first", "cron job a"), Posted("second", "cron job b"), None]
    assert inbox.told == ["a background command ended"]


def test_a_post_wakes_the_editor_and_the_half_typed_line_survives():
    inbox = Inbox()
    with create_pipe_input() as keyboard:
        inbox.session = PromptSession(input=keyboard, output=DummyOutput())
        keyboard.send_text("git sta")  # typed, not yet sent

        def post_later():
            time.sleep(0.3)  # the editor is up and holds the half line
            inbox.post("run the tests", "cron job 1a2b3c4d")

        threading.Thread(target=post_later).start()
        assert inbox.next() == Posted("run the tests", "cron job 1a2b3c4d")
        assert inbox.kept == "git sta"
        keyboard.send_text("tus\r")  # the user goes on typing where they were
        assert inbox.next() == "git status"
        assert inbox.kept == ""


def test_a_post_made_before_the_editor_starts_is_taken_first():
    inbox = Inbox()
    with create_pipe_input() as keyboard:
        inbox.session = PromptSession(input=keyboard, output=DummyOutput())
        inbox.post("due already", "cron")
        assert inbox.next() == Posted("due already", "cron")
        keyboard.send_text("hello\r")
        assert inbox.next() == "hello"


# --- the status line (Chapter.status_line) -------------------------------------------------------


def test_the_status_line_is_the_editors_bottom_toolbar_redrawn_every_second():
    calls = []

    def status():
        calls.append(1)
        return "model x · 12 tokens"

    with create_pipe_input() as keyboard:
        editor = line_editor(status=status, input=keyboard, output=DummyOutput())
        assert editor.refresh_interval == STATUS_EVERY == 1.0
        keyboard.send_text("hello\r")
        assert editor.prompt("› ") == "hello"
    assert calls  # drawn under the line being typed
    with create_pipe_input() as keyboard:  # no status: no toolbar, no redraws
        plain = line_editor(input=keyboard, output=DummyOutput())
        assert plain.bottom_toolbar is None and not plain.refresh_interval


def test_a_failing_status_line_shows_a_marker_and_never_reaches_the_prompt():
    def broken():
        raise KeyError("gone")

    assert shielded(broken)() == " status line failed: KeyError"
    with create_pipe_input() as keyboard:
        editor = line_editor(status=broken, input=keyboard, output=DummyOutput())
        keyboard.send_text("still works\r")
        assert editor.prompt("› ") == "still works"


def test_the_repl_hands_the_chapters_status_line_for_its_agent_to_the_inbox():
    from contextlib import contextmanager

    from rich.console import Console

    from s01_agent_loop.cli.repl import repl
    from s01_agent_loop.wiring import CHAPTER

    class Reader(Inbox):
        @contextmanager
        def reading(self, history_file=None, status=None, completer=None):
            self.status = status
            self.items.put(END)  # the user leaves at once
            yield self

    agent = object()
    with_status = CHAPTER.extend(name="with-status", title="t", build=CHAPTER.build, here=__file__,
                                 status_line=lambda of: f"status of {of is agent}")
    for chapter, expected in ((with_status, "status of True"), (CHAPTER, None)):
        inbox = Reader()
        assert repl(chapter, agent, Console(file=io.StringIO()), inbox) == 0
        assert (inbox.status and inbox.status()) == expected


def suggestions(completer, typed: str) -> list[str]:
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    return [c.text for c in completer.get_completions(Document(typed), CompleteEvent(text_inserted=True))]


def test_slash_commands_complete_at_the_start_of_the_line_and_a_chapter_adds_its_own():
    from prompt_toolkit.completion import Completer, Completion

    from s01_agent_loop.cli.chapter import SlashCommand
    from s01_agent_loop.cli.repl import completer
    from s01_agent_loop.wiring import CHAPTER

    class Agent:
        model = None

        def commands(self):
            return {"compact": SlashCommand("summarise now", print), "context": SlashCommand("how full", print)}

    class Mentions(Completer):
        def get_completions(self, document, complete_event):
            if document.text_before_cursor.endswith("@"):
                yield Completion("@notes.md", -1)

    plain = completer(CHAPTER, Agent())
    assert suggestions(plain, "/co") == ["/compact", "/context"]
    assert suggestions(plain, "/") == ["/help", "/exit", "/messages", "/compact", "/context"]
    assert suggestions(plain, "") == suggestions(plain, "fix /co") == suggestions(plain, "/compact now") == []
    more = CHAPTER.extend(name="more", title="t", build=CHAPTER.build, here=__file__, completer=lambda a: Mentions())
    assert suggestions(completer(more, Agent()), "read @") == ["@notes.md"]
    with create_pipe_input() as keyboard:  # the editor offers them on Tab, and Enter still sends the line
        editor = line_editor(completer=plain, input=keyboard, output=DummyOutput())
        assert editor.completer is not None and editor.complete_while_typing is False
        keyboard.send_text("/co\r")
        assert editor.prompt("› ") == "/co"
