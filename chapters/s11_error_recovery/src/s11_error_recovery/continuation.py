"""Chapter 11: a reply cut off by `max_tokens` is continued, never half-run.

A reply whose `stop_reason` is `max_tokens` ended because it used up its token allowance, not
because the model was done. Two things can be cut:
- its text: the answer stops mid-sentence;
- its last `tool_use`: the streamed JSON input stopped early. The SDK still parses what arrived,
  so a `write_file` whose `content` lost its second half can look perfectly valid. Running it
  would write a truncated file.
s01's loop runs every tool_use of a reply and then stops, because the stop_reason is not
`tool_use`. `Continuation` changes both, at two of s02's points:
    pre_tool_use       the cut call is denied: an error result asks for it again, smaller
                       (so the call still gets its tool_result: the history stays valid)
    on_event("Stop")   the model wanted to stop at max_tokens: block, with "continue" as the reason
"""

from __future__ import annotations

from rich.text import Text

from s02_tool_use.extension import Extension, Outcome, Verdict
from s02_tool_use.tools import ToolCall

CUT_CALL = ("This call was cut off by max_tokens before its input was complete, so it was not run. "
            "Send it again; if its input is large (a whole file), split the work into smaller calls.")
CONTINUE = ("Your reply was cut off because it reached the max_tokens limit. Continue exactly where "
            "you stopped, without repeating what you already wrote.")


class Continuation(Extension):
    def __init__(self, max_continuations: int = 3):
        if max_continuations < 1:
            raise ValueError("max_continuations must be at least 1")
        self.max_continuations = max_continuations
        """Continuations in a row before the run may end on a cut reply. subtle: no 0-for-unlimited:
        a model that always hits the limit would otherwise loop forever."""
        self.cut_call: str | None = None  # id of the tool_use cut off in the latest reply
        self.max_tokens = 0  # the limit the latest request had, for the notice
        self.n_in_a_row = 0  # continuations since the last reply that ended normally
        self.n_continuations = 0

    def for_subagent(self) -> Continuation:
        """A child has replies of its own: a fresh instance."""
        return Continuation(self.max_continuations)

    def wrap_model_call(self, agent, request: dict, call_next):
        reply = call_next(request)
        # 1. remember whether this reply was cut, and which tool call (only the last can be)
        calls = [block for block in reply.content if block.type == "tool_use"]
        cut = reply.stop_reason == "max_tokens"
        self.cut_call = calls[-1].id if cut and calls else None
        self.max_tokens = request.get("max_tokens", 0)
        return reply

    def pre_tool_use(self, agent, call: ToolCall) -> Verdict | None:
        # 2. the cut call is denied: an error result instead of a run
        if call.id == self.cut_call:
            return Verdict("deny", "its input was cut off by max_tokens", CUT_CALL)
        return None

    def on_event(self, agent, event: str, data: dict) -> Outcome | None:
        if event != "Stop":
            return None
        if data["reply"].stop_reason != "max_tokens":
            self.n_in_a_row = 0
            return None
        # 3. the model stopped only because of the limit: keep it going, a bounded number of times
        if self.n_in_a_row >= self.max_continuations:
            self.notice(agent, f"the reply hit max_tokens {self.n_in_a_row + 1} times in a row; "
                               "stopping here (raise the limit, or ask for less at a time)")
            self.n_in_a_row = 0
            return None
        self.n_in_a_row += 1
        self.n_continuations += 1
        self.notice(agent, f"reply cut off at max_tokens ({self.max_tokens:,}): asking the model to continue "
                           f"({self.n_in_a_row}/{self.max_continuations})")
        return Outcome(block=CONTINUE)

    def notice(self, agent, line: str) -> None:
        agent.view.notice(Text(f"↪ {line}", style="yellow"))
