"""`Attachments`: `@path` in a prompt attaches the file. (stub)"""

from __future__ import annotations

from s02_tool_use.extension import Extension


class Attachments(Extension):
    pass
