"""`/hooks`: the hooks in force, read again from the settings files."""

from __future__ import annotations

from rich.text import Text

from s02_tool_use.paths import display_path

from .config import MATCHED_ON, load_hooks
from .hooks import Hooks


def show_hooks(hooks: Hooks, agent, argument: str, console) -> None:
    """Re-read the settings files (Claude Code reads them once, at startup) and list every hook:
    event, matcher, command, timeout and the file it came from; then what was skipped."""
    hooks.config = config = load_hooks(agent.workdir, hooks.home)
    if not config.hooks:
        console.print("[dim]no hooks: add a `hooks` block to .claude/settings.json (see docs/s08-hook-system.md)[/]")
    for hook in config.hooks:
        matcher = f"[{hook.matcher or '*'}]" if hook.event in MATCHED_ON else ""
        console.print(Text.assemble((hook.event, "bold"), f" {matcher}", (f"  timeout {hook.timeout:g}s  ", "dim"),
                                    (f"{hook.scope}: {display_path(agent.workdir, hook.path)}", "dim")))
        console.print(Text(f"    {hook.command}"))
    for warning in [*config.errors, *config.warnings]:
        console.print(Text(f"skipped: {warning}", style="yellow"))
