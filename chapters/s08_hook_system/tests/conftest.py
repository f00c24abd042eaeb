"""Fixtures: hook scripts written into tmp_path, and settings files that run them."""

import json
import shlex
import sys
import textwrap
from pathlib import Path

import pytest

PRELUDE = """\
import json, os, sys
event = json.load(sys.stdin)
with open({log!r}, "a", encoding="utf-8") as _log:
    _log.write(json.dumps(event) + "\\n")
"""


@pytest.fixture
def hook(tmp_path: Path):
    """`hook("print('hi')")` writes a Python hook script and returns the command that runs it. Each
    script first logs the JSON it got on stdin to `tmp_path/events.jsonl` (see `events`)."""
    folder = tmp_path / "hook-scripts"
    folder.mkdir()
    log = str(tmp_path / "events.jsonl")

    def make(body: str = "") -> str:
        script = folder / f"hook{len(list(folder.iterdir()))}.py"
        script.write_text(PRELUDE.format(log=log) + textwrap.dedent(body), encoding="utf-8")
        return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"

    return make


@pytest.fixture
def events(tmp_path: Path):
    """The payloads every hook got, in order."""

    def read() -> list[dict]:
        log = tmp_path / "events.jsonl"
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []

    return read


@pytest.fixture
def settings(tmp_path: Path):
    """`settings({"Stop": [...]})` writes `tmp_path/.claude/settings.json` with that hooks block."""

    def write(hooks: dict, name: str = "settings.json", workdir: Path = tmp_path) -> Path:
        path = Path(workdir) / ".claude" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"hooks": hooks}), encoding="utf-8")
        return path

    return write


@pytest.fixture
def on():
    """`on(cmd, matcher="bash", timeout=5)`: one matcher group running `cmd` (a list for several)."""

    def group(commands: str | list[str], matcher: str | None = None, timeout: float | None = None) -> list[dict]:
        entries = [{"type": "command", "command": cmd} | ({"timeout": timeout} if timeout else {})
                   for cmd in ([commands] if isinstance(commands, str) else commands)]
        return [{"hooks": entries} | ({"matcher": matcher} if matcher is not None else {})]

    return group
