"""Test-suite guards for every chapter: no network but loopback, no real key, a private HOME."""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest

# subtle: imported before pytest's importlib mode names full/tests' modules `full.tests.*`, which
# would otherwise make the folder full/ a namespace package called `full`
import full  # noqa: F401

MODEL_ENV = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "MODEL_ID")
LIVE_ENV = {name: os.environ[name] for name in MODEL_ENV if os.environ.get(name)}
"""The model settings the suite was started with; only tests marked `live` get them back."""

_real_connect = socket.socket.connect


def _loopback_only(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            allowed = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = False
        if not allowed:
            raise ConnectionRefusedError(f"the test suite allows loopback connections only, not {host}")
    return _real_connect(sock, address)


@pytest.fixture(autouse=True)
def isolated_environment(request, monkeypatch, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("HARNESS_NO_DOTENV", "1")
    for name in MODEL_ENV:
        monkeypatch.delenv(name, raising=False)
    if request.node.get_closest_marker("live"):
        for name, value in LIVE_ENV.items():
            monkeypatch.setenv(name, value)
    else:
        monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    yield
