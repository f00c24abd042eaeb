"""s01's `bash`, declared once more as a registry `Tool`: the function is s01's, only the
input model is new (pydantic now validates `command` and `timeout`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from s01_agent_loop.shell import BASH_TOOL, DEFAULT_TIMEOUT, MAX_TIMEOUT, run_bash

from .tools import Tool, ToolContext


class BashInput(BaseModel):
    command: str = Field(min_length=1, description="The command to run, e.g. `ls -la src`.")
    timeout: float | None = Field(
        None, gt=0, le=MAX_TIMEOUT, description=f"Seconds before it is killed (default {DEFAULT_TIMEOUT:g})."
    )


def bash(args: BashInput, ctx: ToolContext) -> str:
    return run_bash(args.command, ctx.workdir, args.timeout or DEFAULT_TIMEOUT)


BASH = Tool("bash", BASH_TOOL["description"], BashInput, bash, kind="shell",
            tip="Use bash to run commands, tests and git; quote paths with spaces.")
