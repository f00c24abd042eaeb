"""Chapter 11: what went wrong with a model call, decided by the error's type, never its wording.

Every failure of a request comes back as an exception. `classify` sorts them into four actions:

    RETRY     wait and send the same request again: 429, 529 and other 5xx, 408, 409,
              connection errors and timeouts, a stream cut mid-way, an `error` event in a stream,
              a reply the SDK cannot parse (a tool call's input that is not valid JSON)
    COMPACT   the prompt no longer fits (a 400 "prompt is too long", a 413): summarise (s06), retry once
    FATAL     retrying cannot help: 401, 403, any other 4xx, or `x-should-retry: false`; stop with one line
    (None)    not a model-call failure at all (a bug, Ctrl-C): not ours to handle

e.g. `classify(anthropic.OverloadedError(...))` is `Failure(RETRY, "529 overloaded", overloaded=True)`.

subtle: `import anthropic` costs seconds, so it happens inside `classify`, which only runs once a
call has already failed (and the SDK is therefore loaded).
"""

from __future__ import annotations

import email.utils
import enum
import time
from dataclasses import dataclass

from s01_agent_loop.model import IncompleteReply, UnreadableReply


class Action(enum.Enum):
    RETRY = "retry"
    COMPACT = "compact"
    FATAL = "fatal"


@dataclass(frozen=True)
class Failure:
    action: Action
    label: str
    """What happened, for the user: `529 overloaded`, `connection error`, `stream broke`."""
    retry_after: float | None = None
    """Seconds the server asked us to wait (`retry-after-ms` / `retry-after`), if it said."""
    overloaded: bool = False
    """The model is overloaded (529, or `overloaded_error` in a stream): counts toward the fallback."""
    mid_stream: bool = False
    """The reply had started streaming: text already on screen will be shown again."""
    detail: str = ""
    """The API's own message, for a fatal failure."""


LABELS = {408: "408 request timeout", 409: "409 conflict", 429: "429 rate limited", 529: "529 overloaded"}
HINTS = {401: " (check ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN)",
         403: " (this key may not use this model or endpoint)",
         404: " (check MODEL_ID and ANTHROPIC_BASE_URL)"}
RETRYABLE_STREAM_ERRORS = {"overloaded_error": "529 overloaded", "rate_limit_error": "429 rate limited",
                           "api_error": "500 api error", "timeout_error": "504 timeout"}


def classify(error: BaseException) -> Failure | None:
    """The `Failure` an exception from a model call stands for; None if it is not one."""
    import anthropic
    import httpx2

    # 1. an `error` event inside a 200 stream: the SDK raises APIStatusError(200); its body names the type
    if isinstance(error, anthropic.APIStatusError) and error.status_code == 200:
        kind = error.type or "unknown_error"
        if kind in RETRYABLE_STREAM_ERRORS:
            return Failure(Action.RETRY, f"{RETRYABLE_STREAM_ERRORS[kind]} (error event mid-stream)",
                           overloaded=kind == "overloaded_error", mid_stream=True)
        return Failure(Action.FATAL, f"{kind} mid-stream", detail=api_message(error))
    # 2. HTTP errors, by the SDK's exception class (one per status)
    if isinstance(error, anthropic.AuthenticationError | anthropic.PermissionDeniedError):
        return fatal(error)
    if isinstance(error, anthropic.BadRequestError) and prompt_too_long(error):
        return Failure(Action.COMPACT, "prompt is too long", detail=api_message(error))
    if isinstance(error, anthropic.ContentTooLargeError):  # 413: the request body is over the byte limit
        return Failure(Action.COMPACT, "413 request too large", detail=api_message(error))
    if isinstance(error, anthropic.APIStatusError) and error.response.headers.get("x-should-retry") == "false":
        return fatal(error)  # the server itself says a retry cannot help (the SDK obeys this header too)
    if isinstance(error, anthropic.OverloadedError):  # subtle: a subclass of InternalServerError, so first
        return Failure(Action.RETRY, LABELS[529], retry_after(error), overloaded=True)
    if isinstance(error, anthropic.RateLimitError | anthropic.InternalServerError) or (
            isinstance(error, anthropic.APIStatusError) and error.status_code in (408, 409)):
        label = LABELS.get(error.status_code, f"{error.status_code} server error")
        return Failure(Action.RETRY, label, retry_after(error))
    if isinstance(error, anthropic.APIStatusError):
        return fatal(error)
    # 3. no HTTP answer at all
    if isinstance(error, anthropic.APITimeoutError):  # subtle: a subclass of APIConnectionError, so first
        return Failure(Action.RETRY, "request timed out")
    if isinstance(error, anthropic.APIConnectionError):
        return Failure(Action.RETRY, "connection error")
    # 4. the stream broke after it began: the SDK lets the raw transport error through, and a
    #    stream closed cleanly before `message_stop` is s01's IncompleteReply. subtle: a tool
    #    input the SDK cannot parse is a bare ValueError from the SDK; s01's model raises it as an
    #    UnreadableReply (a subclass, so first), so that a ValueError of ours is never retried
    if isinstance(error, UnreadableReply):
        return Failure(Action.RETRY, "unreadable reply (the SDK could not parse it)", mid_stream=True)
    if isinstance(error, IncompleteReply):
        return Failure(Action.RETRY, "stream ended before message_stop", mid_stream=True)
    if isinstance(error, httpx2.TransportError):
        return Failure(Action.RETRY, f"stream broke ({type(error).__name__})", mid_stream=True)
    return None


# ---------------------------------------------------------------------------------------------


def prompt_too_long(error) -> bool:
    """A 400 that says the prompt does not fit the context window.

    subtle: the one place we read the message. The API sends this as a plain
    `invalid_request_error` ("prompt is too long: 215000 tokens > 200000 maximum") with no
    `error_code` of its own, so the type alone cannot tell it from any other bad request.
    """
    return error.type == "invalid_request_error" and "prompt is too long" in api_message(error).lower()


def fatal(error) -> Failure:
    status = error.status_code
    return Failure(Action.FATAL, f"{status} {error.type or 'error'}", detail=api_message(error) + HINTS.get(status, ""))


def api_message(error) -> str:
    return getattr(error, "api_message", None) or getattr(error, "message", None) or str(error)


def retry_after(error, now: float | None = None) -> float | None:
    """The wait the response asks for, in seconds: `retry-after-ms`, else `retry-after` (seconds or
    an HTTP date); None if neither is there or readable.

    e.g. headers {"retry-after": "3"} -> 3.0; {"retry-after-ms": "250"} -> 0.25
    """
    headers = getattr(getattr(error, "response", None), "headers", None) or {}
    try:
        if "retry-after-ms" in headers:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        if "retry-after" in headers:
            return max(0.0, float(headers["retry-after"]))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(headers.get("retry-after", ""))
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))
