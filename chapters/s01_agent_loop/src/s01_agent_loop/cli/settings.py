"""Where the model comes from: `.env` and the environment.

Read once at start-up. The key itself is never printed: `describe()` says only which setting
supplied it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL = "claude-sonnet-5-5"
ENV_FILE_NAME = ".env"


@dataclass(frozen=True)
class Settings:
    api_key: str | None = None
    auth_token: str | None = None
    base_url: str | None = None
    model: str = DEFAULT_MODEL

    @property
    def has_credentials(self) -> bool:
        return bool(self.api_key or self.auth_token)

    def describe(self) -> str:
        """A line for the banner: endpoint, model and which credential is in use (not its value)."""
        credential = "ANTHROPIC_API_KEY" if self.api_key else "ANTHROPIC_AUTH_TOKEN"
        endpoint = self.base_url or "api.anthropic.com"
        return f"{self.model} at {endpoint} ({credential})"


def load_settings(model: str | None = None) -> Settings:
    """Read `.env` files (the environment wins over them), then the settings."""
    from dotenv import load_dotenv

    for env_file in env_files():
        load_dotenv(env_file, override=False, encoding="utf-8")
    return Settings(
        api_key=os.environ.get("ANTHROPIC_API_KEY") or None,
        auth_token=os.environ.get("ANTHROPIC_AUTH_TOKEN") or None,
        base_url=os.environ.get("ANTHROPIC_BASE_URL") or None,
        model=model or os.environ.get("MODEL_ID") or DEFAULT_MODEL,
    )


def env_files() -> list[Path]:
    """`.env` in the current folder, then in the course's workspace root, nearest first.
    `HARNESS_NO_DOTENV=1` turns this off (the test suite sets it)."""
    if os.environ.get("HARNESS_NO_DOTENV") == "1":
        return []
    found = []
    for folder in (Path.cwd(), workspace_root()):
        candidate = folder / ENV_FILE_NAME if folder else None
        if candidate and candidate.is_file() and candidate not in found:
            found.append(candidate)
    return found


def workspace_root() -> Path | None:
    """The folder holding the workspace's `uv.lock`, found upwards from this file."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "uv.lock").is_file() and (folder / "chapters").is_dir():
            return folder
    return None
