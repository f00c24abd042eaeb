"""`api_error(cls, status, type, message, headers)`: an SDK exception exactly as the SDK builds it."""

from __future__ import annotations

import anthropic
import httpx2
import pytest

REQUEST = httpx2.Request("POST", "https://api.example/v1/messages")


def make_api_error(cls=anthropic.APIStatusError, status: int = 500, kind: str = "api_error",
                   message: str = "scripted", headers: dict | None = None):
    body = {"type": "error", "error": {"type": kind, "message": message}}
    response = httpx2.Response(status, headers=headers or {}, json=body, request=REQUEST)
    return cls(message, response=response, body=body)


@pytest.fixture
def api_error():
    return make_api_error
