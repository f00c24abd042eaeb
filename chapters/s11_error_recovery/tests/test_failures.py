"""`classify` sorts by exception type and status; backoff and the countdown."""

from __future__ import annotations

import io

import anthropic
import httpx2
import pytest
from rich.console import Console

from s01_agent_loop.cli.console import ConsoleView
from s01_agent_loop.cli.testing import RecordingView
from s11_error_recovery.backoff import countdown, delay_before
from s11_error_recovery.failures import Action, classify, retry_after

A = anthropic
REQUEST = httpx2.Request("POST", "https://api.example/v1/messages")

# (what is raised: an exception, or the arguments of `api_error`), the action, its label, overloaded?
CLASSES = [
    ((A.RateLimitError, 429, "rate_limit_error"), Action.RETRY, "429 rate limited", False),
    ((A.OverloadedError, 529, "overloaded_error"), Action.RETRY, "529 overloaded", True),
    ((A.InternalServerError, 500, "api_error"), Action.RETRY, "500 server error", False),
    ((A.ServiceUnavailableError, 503, "api_error"), Action.RETRY, "503 server error", False),
    ((A.RequestTimeoutError, 408, "timeout_error"), Action.RETRY, "408 request timeout", False),
    (A.APIConnectionError(request=REQUEST), Action.RETRY, "connection error", False),
    (A.APITimeoutError(request=REQUEST), Action.RETRY, "request timed out", False),
    (httpx2.RemoteProtocolError("peer closed connection"), Action.RETRY, "stream broke (RemoteProtocolError)", False),
    (httpx2.ReadTimeout("read timed out"), Action.RETRY, "stream broke (ReadTimeout)", False),
    ((A.APIStatusError, 200, "overloaded_error"), Action.RETRY, "529 overloaded (error event mid-stream)", True),
    ((A.BadRequestError, 400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
     Action.COMPACT, "prompt is too long", False),
    ((A.ContentTooLargeError, 413, "request_too_large"), Action.COMPACT, "413 request too large", False),
    ((A.AuthenticationError, 401, "authentication_error"), Action.FATAL, "401 authentication_error", False),
    ((A.PermissionDeniedError, 403, "permission_error"), Action.FATAL, "403 permission_error", False),
    ((A.BadRequestError, 400, "invalid_request_error", "messages: roles must alternate"),
     Action.FATAL, "400 invalid_request_error", False),
    ((A.NotFoundError, 404, "not_found_error"), Action.FATAL, "404 not_found_error", False),
    ((A.APIStatusError, 200, "invalid_request_error"), Action.FATAL, "invalid_request_error mid-stream", False),
]


@pytest.mark.parametrize(("error", "action", "label", "overloaded"), CLASSES, ids=[row[2] for row in CLASSES])
def test_classify_by_type_and_status(error, action, label, overloaded, api_error):
    failure = classify(api_error(*error) if isinstance(error, tuple) else error)
    assert (failure.action, failure.label, failure.overloaded) == (action, label, overloaded)


def test_not_a_model_failure_is_not_classified():
    assert classify(ValueError("a bug")) is None
    assert classify(KeyError("x")) is None


def test_the_server_can_say_not_to_retry(api_error):
    error = api_error(anthropic.InternalServerError, 500, "api_error", headers={"x-should-retry": "false"})
    assert classify(error).action is Action.FATAL


def test_the_same_message_with_another_type_is_not_prompt_too_long(api_error):
    error = api_error(anthropic.AuthenticationError, 401, "authentication_error", "prompt is too long")
    assert classify(error).action is Action.FATAL


def test_fatal_detail_carries_the_api_message_and_a_hint(api_error):
    failure = classify(api_error(anthropic.AuthenticationError, 401, "authentication_error", "invalid x-api-key"))
    assert failure.detail == "invalid x-api-key (check ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN)"


@pytest.mark.parametrize(("headers", "seconds"), [
    ({"retry-after": "3"}, 3.0),
    ({"retry-after": "0"}, 0.0),
    ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
    ({"retry-after": "Thu, 01 Jan 2026 00:00:10 GMT"}, 10.0),
    ({"retry-after": "soon"}, None),
    ({}, None),
], ids=["seconds", "zero", "milliseconds win", "an HTTP date", "unreadable", "absent"])
def test_retry_after_headers(headers, seconds, api_error):
    error = api_error(anthropic.RateLimitError, 429, "rate_limit_error", headers=headers)
    assert retry_after(error, now=1767225600.0) == seconds  # now = 2026-01-01 00:00:00 UTC


def test_backoff_doubles_up_to_the_cap_with_full_jitter():
    top = [delay_before(n, base=1, cap=32, rng=lambda: 1.0) for n in range(1, 9)]
    assert top == [1, 2, 4, 8, 16, 32, 32, 32]
    assert delay_before(4, base=1, cap=32, rng=lambda: 0.25) == 2.0
    assert delay_before(3, base=0.5, cap=32, rng=lambda: 0.0) == 0.0


def test_countdown_is_one_line_off_a_terminal():
    view, waits = RecordingView(), []
    countdown(view, "529 overloaded · retry 2/8", 2.5, waits.append)
    assert waits == [2.5]
    assert view.texts == ["⟳ 529 overloaded · retry 2/8 in 2.5 s"]


def test_countdown_ticks_in_place_on_a_terminal():
    out = io.StringIO()
    view, waits = ConsoleView(Console(file=out, force_terminal=True, width=100)), []
    countdown(view, "429 rate limited · retry 1/8", 2.5, waits.append)
    assert waits == [0.5, 1.0, 1.0]  # the fraction first, then whole seconds: 3 s, 2 s, 1 s
    assert "429 rate limited · retry 1/8 after 2.5 s" in out.getvalue()


def test_no_wait_says_now_and_does_not_sleep():
    view, waits = RecordingView(), []
    countdown(view, "529 overloaded · retry 3/8", 0, waits.append)
    assert waits == [] and view.texts == ["⟳ 529 overloaded · retry 3/8 now"]
