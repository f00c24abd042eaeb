"""A teammate's lines on the lead's screen: each under its name, each once."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from s01_agent_loop.scripted import message, text, tool_use
from s15_agent_teams.display import TeammateView


@pytest.mark.parametrize("terminal", [False, True])
def test_a_teammates_text_before_its_tool_call_is_shown_once_under_its_name(terminal):
    out = io.StringIO()
    view = TeammateView(Console(file=out, force_terminal=terminal, width=80), "alice")
    view.model_start()
    view.model_text("An even count takes the upper middle. ")
    view.model_text("Fixing it:")
    view.model_end(message(text("An even count takes the upper middle. Fixing it:"), tool_use("bash", command="ls")))
    view.tool_start("bash", {"command": "ls"})
    view.tool_end("bash", "a.py", is_error=False)
    view.model_start()
    view.model_text("Done.")
    view.model_end(message(text("Done.")))
    shown = out.getvalue()
    assert shown.count("Fixing it:") == 1 and shown.count("Done.") == 1, shown
    assert "alice" in shown.splitlines()[0] and "bash" in shown
