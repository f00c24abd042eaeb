"""`Meter`: tokens and cost of the session, per model. (stub: the helper building it replaces this)"""

from __future__ import annotations

from s02_tool_use.extension import Extension


class Meter(Extension):
    def __init__(self):
        self.usage = {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
        self.cost_usd = 0.0
        self.requests = 0
