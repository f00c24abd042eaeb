"""The suite's own guards (conftest.py) work: only loopback, a private HOME, no model settings."""

import os
import socket
from pathlib import Path

import pytest


def test_connections_beyond_loopback_are_refused_before_any_packet():
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match="loopback connections only"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: never routed


def test_loopback_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass


def test_home_is_private_and_model_settings_are_cleared():
    assert Path(os.environ["HOME"]).name.startswith("home")
    assert not any(os.environ.get(name) for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"))
    assert os.environ["HARNESS_NO_DOTENV"] == "1"
