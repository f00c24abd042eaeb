"""Claude Code's settings files, read in one place: s07 reads permission rules there, s08 hooks
(and later chapters their own blocks), so s02 owns the reader.

Three files, read in this order; the later one is more specific:
    ~/.claude/settings.json             user: every project on this machine
    .claude/settings.json               project: checked in, shared with the team
    .claude/settings.local.json         local: this machine only; "always allow" is saved here

Lists (`permissions.allow`, `hooks.PreToolUse`...) add up across the files; a scalar such as
`permissions.defaultMode` is taken from the most specific file that sets it. A file that is not
valid JSON is named in `SettingsFile.error`, never half-read; what a broken file means is for
its reader to say (s07 stops rather than run with fewer rules than the user wrote).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from s01_agent_loop.errors import ConfigurationError

from .files import write_atomic

SCOPES = ("user", "project", "local")


@dataclass
class SettingsFile:
    scope: str
    """`user`, `project` or `local`."""
    path: Path
    data: dict = field(default_factory=dict)
    """The parsed JSON object; empty when the file is missing or broken."""
    error: str | None = None
    """Why the file was skipped (invalid JSON, not an object), to show the user."""


class SettingsError(ConfigurationError):
    """A settings file that exists but cannot be understood; the message names file, place and problem."""


def settings_paths(workdir: Path, home: Path | None = None) -> dict[str, Path]:
    home = Path.home() if home is None else Path(home)
    workdir = Path(workdir)
    return {
        "user": home / ".claude" / "settings.json",
        "project": workdir / ".claude" / "settings.json",
        "local": workdir / ".claude" / "settings.local.json",
    }


def read_json(path: Path, shown: str | None = None):
    """A JSON file's value, or a `ConfigurationError` naming the file (`shown`, else its path), the
    line and the problem. An empty file is `{}`."""
    try:
        # subtle: utf-8-sig, because editors on Windows save JSON with a byte-order mark
        return json.loads(Path(path).read_text(encoding="utf-8-sig", errors="replace").strip() or "{}")
    except json.JSONDecodeError as error:
        raise ConfigurationError(f"{shown or path}: line {error.lineno} column {error.colno}: not valid JSON "
                                 f"({error.msg})") from None
    except OSError as error:  # a folder where the file should be, no permission to read it
        raise ConfigurationError(f"{shown or path}: cannot be read ({error.strerror or error})") from None


def read_settings(workdir: Path, home: Path | None = None) -> list[SettingsFile]:
    """The settings files that exist, least specific first, each parsed or with its error."""
    files = []
    for scope, path in settings_paths(workdir, home).items():
        if not path.exists():
            continue
        try:
            data = read_json(path)
        except ConfigurationError as error:
            files.append(SettingsFile(scope, path, error=str(error)))
            continue
        if not isinstance(data, dict):
            files.append(SettingsFile(scope, path, error=f"{path}: expected a JSON object, found a "
                                                          f"{type(data).__name__}"))
            continue
        files.append(SettingsFile(scope, path, data))
    return files


def change_local_settings(workdir: Path, change: Callable[[object], None], home: Path | None = None) -> Path:
    """Let `change(data)` edit `.claude/settings.local.json` (missing: `{}`) and write it back
    atomically, everything else in it kept: how an answer is remembered (s07's "always allow", s19's
    approved servers). A ValueError, and nothing written, when the file is not valid JSON; `change`
    raises ValueError to refuse a file it cannot change."""
    path = settings_paths(workdir, home)["local"]
    try:
        data = read_json(path) if path.is_file() else {}
    except ConfigurationError as error:
        raise ValueError(f"{error}; not changing it") from None
    change(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def value_at(data: dict, keys: tuple[str, ...]):
    """`data[keys[0]][keys[1]]...`, or None where a level is missing or not an object."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def merged_list(files: list[SettingsFile], *keys: str) -> list:
    """The lists at `data[keys[0]][keys[1]]...` of every file, concatenated in file order."""
    return [item for file in files if isinstance(value := value_at(file.data, keys), list) for item in value]


def most_specific(files: list[SettingsFile], *keys: str):
    """The value at `keys` in the most specific file that sets it, or None."""
    return next((value for file in reversed(files) if (value := value_at(file.data, keys)) is not None), None)
