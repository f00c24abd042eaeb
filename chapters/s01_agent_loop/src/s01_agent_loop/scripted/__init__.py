"""The scripted model: a fake Claude, so every chapter runs with no key and no network.

`ScriptedServer` speaks the Messages API on 127.0.0.1 for the real SDK (demos, end-to-end
tests); `ScriptedModel` is the same idea in-process (unit tests). Both play a script of replies
and fail loudly on a request the real API would reject.

subtle: `fake` imports `anthropic` (seconds), so its names are loaded on first use.
"""

from .expect import Expect
from .protocol import check_request
from .scenario import Fault, ModelStep, Scenario, ToolCall, UserStep, call, load_scenario, say, step
from .server import ScriptedServer
from .usage import PromptCache, estimate_request

_FAKE = ("ScriptedModel", "ProtocolError", "UnexpectedModelCall", "UnconsumedSteps", "text", "tool_use", "message")

__all__ = [
    "Expect", "Fault", "ModelStep", "PromptCache", "Scenario", "ScriptedServer", "ToolCall", "UserStep",
    "call", "check_request", "estimate_request", "load_scenario", "say", "step", *_FAKE,
]


def __getattr__(name: str):
    if name in _FAKE:
        from . import fake

        return getattr(fake, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
