"""The command line every chapter shares: arguments, the REPL, what the user sees, `--demo`.

Reading order: `chapter.py` (what a chapter hands over), `entry.py` (`main`), `run.py` (build the
agent, run it), `repl.py` (the interactive loop), `inbox.py` (the one
place it reads: typed lines and posted prompts), `console.py` (the rich `View`), `demo.py`
(`--demo` and `--sample`), `settings.py` (`.env`), `testing.py` (helpers for end-to-end tests).
None of it is the agent: the loop is `s01_agent_loop.agent`.
"""

from .chapter import Chapter, Session, SlashCommand
from .entry import main, parse_args

__all__ = ["Chapter", "Session", "SlashCommand", "main", "parse_args"]
