"""`FullCommands`: `/model`, `/export`. (stub)"""

from __future__ import annotations

from s02_tool_use.extension import Extension


class FullCommands(Extension):
    pass
