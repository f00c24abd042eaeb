"""s01's `bash`, declared once more as a registry `Tool`: the shell is s01's; new are the input
model (pydantic validates `command` and `timeout`) and the file of the whole output, handed on
with a cut result."""

from __future__ import annotations

from pydantic import BaseModel, Field

from s01_agent_loop.shell import BASH_TOOL, DEFAULT_TIMEOUT, MAX_TIMEOUT, run_command

from .tools import Tool, ToolContext, ToolResult


class BashInput(BaseModel):
    command: str = Field(min_length=1, description="The command to run, e.g. `ls -la src`.")
    timeout: float | None = Field(
        None, gt=0, le=MAX_TIMEOUT, description=f"Seconds before it is killed (default {DEFAULT_TIMEOUT:g})."
    )


def bash(args: BashInput, ctx: ToolContext) -> ToolResult:
    """s01's shell; when the output was cut, the file with all of it goes along (s06 keeps it)."""
    finished = run_command(args.command, ctx.workdir, args.timeout or DEFAULT_TIMEOUT)
    if not finished.cut:
        finished.path.unlink(missing_ok=True)
    return ToolResult(finished.text, output_file=finished.path if finished.cut else None)


BASH = Tool("bash", BASH_TOOL["description"], BashInput, bash, kind="shell",
            tip="Use bash to run commands, tests and git; quote paths with spaces.")
