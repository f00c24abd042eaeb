"""The inbox: typed lines and posted prompts from one queue; a post wakes the line editor and the
half-typed line comes back in the next prompt."""

from __future__ import annotations

import threading
import time

from prompt_toolkit import PromptSession
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from s01_agent_loop.cli.inbox import Inbox, Posted


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
