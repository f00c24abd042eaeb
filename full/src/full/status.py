"""The status line under the prompt. (stub)"""

from __future__ import annotations


def status_line(agent) -> str:
    return ""
