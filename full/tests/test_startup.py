"""Start-up: `full --help` and `--version` import no SDK, and the REPL's prompt comes up in a project
with every capability configured while the SDK (`anthropic`) and the MCP client (`mcp`) load on
other threads. What is checked is which thread imports what, and in what order; how long it takes
is measured by bench/startup.py, not here."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from s01_agent_loop.cli.demo import SAMPLE_PROJECT
from s01_agent_loop.cli.testing import run_chapter, tagged, wait_until

SDKS = ("anthropic", "mcp", "httpx", "httpx2")

IMPORTED_BY_HELP = """
import json, sys
from full.__main__ import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {sdks!r})))
"""


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_help_and_version_import_no_sdk(option, tmp_path):
    child = subprocess.run([sys.executable, "-c", IMPORTED_BY_HELP.format(sdks=SDKS), option], cwd=tmp_path,
                           capture_output=True, text=True, encoding="utf-8", timeout=60)
    *printed, imported = child.stdout.strip().splitlines()
    assert json.loads(imported) == []
    assert child.stderr == ""
    expected = "--permission-mode" if option == "--help" else "full 0."  # full's own options are in the help
    assert expected in "\n".join(printed)


def test_help_through_the_command_line_answers(tmp_path):
    result = run_chapter("full", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: full" in result.stdout and "--resume" in result.stdout


# ---------------------------------------------------------------------------------------------
# the REPL up to its prompt, on a pseudo-terminal, in a project with everything configured

PROBE = """
import json, sys, threading
from pathlib import Path

imported = {}  # module -> the thread that imported it first


class Recorder:
    def find_spec(self, name, path=None, target=None):
        if name not in sys.modules:
            imported.setdefault(name, threading.current_thread().name)


sys.meta_path.insert(0, Recorder())
from s01_agent_loop.cli import inbox
from s01_agent_loop.cli.testing import wait_until


def at_prompt(self, timeout=None):
    if self.session is None:  # not the line editor: the test is wrong
        raise SystemExit("no line editor")
    seen = dict(imported)
    # the SDK and the MCP client go on loading behind the prompt: wait for them, then leave as Ctrl-D does
    wait_until(lambda: "anthropic" in imported and "mcp" in imported, 60)
    Path(sys.argv[1]).write_text(json.dumps({"before_prompt": seen, "after": dict(imported)}))
    return inbox.END


inbox.Inbox.next = at_prompt
from full.__main__ import main
sys.exit(main([]))
"""


def configured(folder: Path, marker: Path) -> Path:
    """The sample project with what full reads at start: permission rules and hooks (SessionStart
    among them), skills, an agent, CLAUDE.md with an @import, a memory, s19's own stdio server in
    .mcp.json approved in settings.local.json, a git repository."""
    shutil.copytree(SAMPLE_PROJECT, folder)
    claude = folder / ".claude"
    (claude / "skills" / "changelog").mkdir(parents=True)
    (claude / "skills" / "changelog" / "SKILL.md").write_text(
        "---\nname: changelog\ndescription: Record a change in CHANGELOG.md.\n---\nAdd one bullet.\n", encoding="utf-8")
    (claude / "agents").mkdir()
    (claude / "agents" / "reviewer.md").write_text(
        "---\nname: reviewer\ndescription: Reviews a change.\ntools: read_file, grep\n---\nReview it.\n",
        encoding="utf-8")
    started = f"{sys.executable} -c \"import pathlib; pathlib.Path(r'{marker}').write_text('ran')\""
    hooks = {"SessionStart": [{"hooks": [{"type": "command", "command": started}]}],
             "PreToolUse": [{"matcher": "bash", "hooks": [{"type": "command", "command": "true"}]}]}
    (claude / "settings.json").write_text(json.dumps({
        "permissions": {"allow": ["Bash(ls:*)", "mcp__wordstats"], "deny": ["Bash(rm:*)"]}, "hooks": hooks}))
    (claude / "settings.local.json").write_text(json.dumps({"enabledMcpjsonServers": ["wordstats"]}))
    (folder / ".mcp.json").write_text(json.dumps({"mcpServers": {"wordstats": {
        "command": sys.executable, "args": ["-m", "s19_mcp_plugin.server", "--root", "."]}}}))
    (folder / "CLAUDE.md").write_text("# wordstats\n\nStyle: @docs/style.md\n", encoding="utf-8")
    (folder / "docs").mkdir()
    (folder / "docs" / "style.md").write_text("One-line docstrings.\n", encoding="utf-8")
    memory = folder / ".harness" / "memory"
    memory.mkdir(parents=True)
    (memory / "verbose-tests.md").write_text(
        "---\nname: verbose-tests\ndescription: Run the tests verbosely\ntype: feedback\n---\nUse -v.\n",
        encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run(git + command, cwd=folder, check=True, capture_output=True)
    return folder


def on_a_terminal(command: list[str], cwd: Path, env: dict, timeout: float = 120) -> tuple[int, str]:
    """Run `command` with a pseudo-terminal as its stdin, stdout and stderr; its exit code and screen."""
    master, slave = os.openpty()
    child = subprocess.Popen(command, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    screen = bytearray()

    def drain():  # subtle: a terminal nobody reads fills up, and the child blocks writing to it
        while True:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    return
                if not data:
                    return
                screen.extend(data)
            elif child.poll() is not None:
                return

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        code = child.wait(timeout)
    finally:
        if child.poll() is None:
            child.kill()
        reader.join(10)
        os.close(master)
    return code, screen.decode("utf-8", "replace")


@pytest.mark.skipif(not hasattr(os, "openpty") or not Path("/proc/self/environ").exists(),
                    reason="a pseudo-terminal and the Linux process table")
def test_the_prompt_comes_up_before_the_sdk_and_mcp_client_load(tmp_path):
    marker = tmp_path / "session-start-ran"
    project = configured(tmp_path / "project", marker)
    report = tmp_path / "imports.json"
    tag = f"startup-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env |= {"ANTHROPIC_API_KEY": "test-no-request-is-sent", "HARNESS_NO_DOTENV": "1", "TEST_TAG": tag,
            "HOME": str(tmp_path), "TERM": "xterm"}
    code, screen = on_a_terminal([sys.executable, "-c", PROBE, str(report)], project, env)
    assert code == 0, screen[-2000:]
    imports = json.loads(report.read_text())
    before, after = imports["before_prompt"], imports["after"]

    # the prompt's way is the main thread's: no SDK on it, not even partly
    on_main = {name for name, thread in before.items() if thread == "MainThread"}
    assert not {name for name in on_main if name.split(".")[0] in SDKS}
    # the SDK did load, on a thread of its own; and the configured MCP server's client too
    assert after["anthropic"] != "MainThread"
    assert {thread for name, thread in after.items() if name.split(".")[0] == "mcp"} - {"MainThread"}
    # the line editor was loaded before those threads began (sharing the GIL with an import slows
    # every import of the main thread several times over)
    threads = [name for name, thread in before.items() if thread != "MainThread"]
    editor = list(before).index("prompt_toolkit.shortcuts")
    assert threads and all(list(before).index(name) > editor for name in threads)

    assert "full" in screen and "work dir" in screen
    assert not marker.exists(), "SessionStart hooks run at the first prompt, not at launch"
    assert wait_until(lambda: not tagged(tag), 10), tagged(tag)  # the MCP server went with the REPL
