"""Chapter 11: a model call that survives the network and the API, as one `Extension`.

Until now any failed request ended the turn ("model error: 529 ..."), and the SDK's own two quiet
retries were all the resilience there was. `Recovery` wraps every model call (s02's
`wrap_model_call`, plugged in outermost) in a loop that sorts each failure by its type
(`failures.classify`) and acts on it:
    retry      wait (backoff with jitter, or the server's `retry-after`) with a visible countdown,
               then send the same request again; after several overloads, switch to a fallback model
    compact    the prompt is too long: s06's Compactor summarises the conversation, retry once
    fatal      stop the turn with one clear line (`RecoveryFailed`), the conversation intact

Nothing is lost: a failed call adds nothing to `agent.messages`, so every retry sends exactly the
conversation the failed one did, and after giving up the next prompt simply continues it.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable

from pydantic import BaseModel, Field

from s01_agent_loop.errors import AgentStop
from s02_tool_use.extension import Extension
from s06_context_compact.compaction import Compactor

from .backoff import countdown, delay_before, notice
from .failures import Action, Failure, classify


class RecoveryConfig(BaseModel):
    max_retries: int = Field(8, ge=1)
    """Retries of one request before giving up. subtle: no 0-for-unlimited here: a dead endpoint
    would keep the user waiting forever, so there is always a limit."""
    base_delay: float = Field(1.0, ge=0)
    """Seconds: the first retry waits up to this; each later one up to twice the one before."""
    max_delay: float = Field(32.0, ge=0)
    """Seconds: the cap on a backoff wait (a server's `retry-after` is honoured as it is)."""
    fallback_model: str | None = None
    """The model to switch to after `fallback_after` overloads in a row (Claude Code's `--fallback-model`)."""
    fallback_after: int = Field(3, ge=1)
    """Consecutive overloads (529, or `overloaded_error` in a stream) before switching to the fallback."""


class RecoveryFailed(AgentStop):
    """A model call that could not be recovered; the command line shows it as one line."""


class Recovery(Extension):
    def __init__(self, config: RecoveryConfig | None = None, *, sleep: Callable[[float], None] = time.sleep,
                 rng: Callable[[], float] = random.random, models: dict[str, str] | None = None):
        self.config = config or RecoveryConfig()
        self.sleep = sleep  # tests pass a recorder: they never really wait
        self.rng = rng
        self.models = models if models is not None else {}  # overloaded model -> fallback, for the session
        self.n_overloads = 0  # consecutive overloads, across requests
        self.n_retries = 0  # every retry this session, for the curious
        self.n_compactions = 0

    def for_subagent(self) -> Recovery:
        """A child's calls recover too; it shares the fallback switch (a model overloaded for the
        parent is overloaded for the child), but counts its own overloads."""
        return Recovery(self.config, sleep=self.sleep, rng=self.rng, models=self.models)

    def wrap_model_call(self, agent, request: dict, call_next):
        """Send `request` until it succeeds, or until retrying cannot or should not go on."""
        retries, compacted = 0, False
        while True:
            if request["model"] in self.models:
                request = {**request, "model": self.models[request["model"]]}
            # 1. try; a reply means success, whatever came before it
            try:
                reply = call_next(request)
            except Exception as error:
                failure = classify(error)
                if failure is None:
                    raise  # not a model-call failure: a bug must surface as it is
                cause = error
            else:
                self.n_overloads = 0
                return reply
            # 2. fatal: nothing a retry could change (a bad key, a refused model, a malformed request)
            if failure.action is Action.FATAL:
                raise RecoveryFailed(f"{failure.label}: {failure.detail} (not retried)") from cause
            # 3. too long: make the conversation shorter, once, and send the new request at once
            if failure.action is Action.COMPACT:
                if compacted:
                    raise RecoveryFailed(f"{failure.label} even after compacting; start a new session") from cause
                compacted = True
                request = self.compact(agent, failure, request) or self.give_up(failure, cause)
                continue
            # 4. retryable: count it, maybe switch models, wait, and go round again
            retries += 1
            if retries > self.config.max_retries:
                self.give_up(failure, cause, retries - 1)
            self.n_retries += 1
            self.n_overloads = self.n_overloads + 1 if failure.overloaded else 0
            wait = self.delay(failure, retries)
            switch = self.should_fall_back(request)
            if switch:
                self.models[request["model"]] = self.config.fallback_model
                wait = 0.0  # subtle: another model has its own capacity; no reason to wait
            self.wait(agent, failure, f"{failure.label} · retry {retries}/{self.config.max_retries}", wait,
                      request["model"] if switch else None)

    # -----------------------------------------------------------------------------------------

    def delay(self, failure: Failure, retry: int) -> float:
        """The server's `retry-after` if it sent one, else exponential backoff with full jitter."""
        if failure.retry_after is not None:
            return failure.retry_after
        return delay_before(retry, base=self.config.base_delay, cap=self.config.max_delay, rng=self.rng)

    def should_fall_back(self, request: dict) -> bool:
        fallback = self.config.fallback_model
        return (bool(fallback) and self.n_overloads >= self.config.fallback_after
                and request["model"] != fallback and request["model"] not in self.models)

    def wait(self, agent, failure: Failure, text: str, wait: float, switched_from: str | None) -> None:
        """Close the failed call's display, explain, count down, and open the next call's display."""
        view = agent.view
        # subtle: the loop opened one display for this call (a spinner, maybe streamed text); we close
        # it before drawing the countdown and open a new one after, so the pairs stay balanced
        view.model_end(None)
        try:
            if failure.mid_stream:
                view.notice(notice("the reply broke off mid-stream; retrying the whole request "
                                 "(any text above will be shown again)"))
            if switched_from:
                view.notice(notice(f"{self.n_overloads} overloads in a row: switching from {switched_from} to the "
                                 f"fallback model {self.config.fallback_model} for the rest of the session",
                                 "bold yellow"))
            countdown(view, text, wait, self.sleep)
        finally:
            view.model_start()

    def compact(self, agent, failure: Failure, request: dict) -> dict | None:
        """Summarise the conversation with s06's Compactor; the new request, or None if it could not.
        subtle: the API's word outranks our estimate. The endpoint's window may be smaller than the
        configured budget (a local model): compact whatever the estimate says, and take the limit the
        error names (`250000 tokens > 200000 maximum`) as the budget for the rest of the session."""
        compactor = Compactor.of(agent)
        agent.view.model_end(None)
        try:
            agent.view.notice(notice(f"{failure.detail or failure.label}; compacting the conversation, "
                                   "then retrying once", "magenta"))
            limit = window_limit(failure.detail)
            if compactor is not None and limit and (not compactor.config.budget or limit < compactor.config.budget):
                compactor.config = compactor.config.model_copy(update={"budget": limit})
                agent.view.notice(notice(f"the endpoint's window is {limit:,} tokens: that is the context budget "
                                         "for the rest of the session", "magenta"))
            if compactor is None or not compactor.compact(agent, "auto", force=True):
                return None
        finally:
            agent.view.model_start()
        self.n_compactions += 1
        # subtle: rebuilt from the agent, because the messages it holds have just been replaced
        return {**agent.request(), "model": request["model"]}

    def give_up(self, failure: Failure, cause: BaseException, retries: int | None = None):
        """Stop the turn with one line; the conversation is kept for the next prompt."""
        if retries is None:
            reason = f"{failure.label} and nothing could be compacted; start a new session or /compact"
        else:
            reason = f"gave up after {retries} retries: {failure.label}"
        raise RecoveryFailed(reason) from cause  # the REPL adds that the conversation is kept


def window_limit(message: str) -> int | None:
    """The maximum a prompt-too-long error names: `... 250000 tokens > 200000 maximum` -> 200000."""
    found = re.search(r"tokens?\s*>\s*([\d,]+)\s*maximum", message or "")
    return int(found.group(1).replace(",", "")) if found else None
