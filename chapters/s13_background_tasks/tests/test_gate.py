"""A background command is still `bash`: this chapter's whole agent (s07's permission rules, s08's
hooks) judges it as it judges a foreground one, and a refused command never starts."""

import json
import shlex
import sys

from s01_agent_loop.cli.testing import build_agent
from s01_agent_loop.scripted import ScriptedModel, text, tool_use
from s13_background_tasks import BackgroundJobs
from s13_background_tasks.wiring import CHAPTER

HOOK = """\
import json, sys
event = json.load(sys.stdin)
with open("hook-events.jsonl", "a", encoding="utf-8") as log:
    log.write(json.dumps(event) + "\\n")
if event["hook_event_name"] == "PreToolUse" and "touch" in event["tool_input"]["command"]:
    print("no touching from the background", file=sys.stderr)
    sys.exit(2)
"""


def chapter_agent(tmp_path, script, settings: dict, mode: str = "default"):
    (tmp_path / ".claude").mkdir(exist_ok=True)
    (tmp_path / ".claude" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    model = ScriptedModel(script)
    return build_agent(CHAPTER, tmp_path, model, "--permission-mode", mode), model


def result_of(request: dict) -> dict:
    return request["messages"][-1]["content"][0]


def test_a_deny_rule_stops_a_background_command_before_it_starts(tmp_path):
    script = [tool_use("bash", command="touch started.txt", run_in_background=True),
              tool_use("bash", command="echo fine", run_in_background=True), text("ok")]
    agent, model = chapter_agent(tmp_path, script, {"permissions": {"deny": ["Bash(touch:*)"],
                                                                    "allow": ["Bash(echo:*)"]}})
    agent.run("go")
    jobs = BackgroundJobs.of(agent)
    denied = result_of(model.calls[1])
    assert denied["is_error"] and "Bash(touch:*)" in denied["content"]
    (job,) = jobs.jobs.values()  # only the allowed one started
    assert job.command == "echo fine" and job.done.wait(10) and job.tail() == "fine"
    agent.close()
    assert not (tmp_path / "started.txt").exists()  # the denied one never ran, not even later


def test_with_no_rule_and_no_terminal_a_background_command_is_asked_for_and_so_refused(tmp_path):
    agent, model = chapter_agent(tmp_path, [tool_use("bash", command="touch x.txt", run_in_background=True),
                                            text("ok")], {})
    agent.run("go")
    refused = result_of(model.calls[1])
    assert refused["is_error"] and "no terminal to ask in" in refused["content"]
    assert BackgroundJobs.of(agent).jobs == {} and not (tmp_path / "x.txt").exists()


def test_pretooluse_hooks_judge_it_and_posttooluse_hooks_see_it_start(tmp_path):
    (tmp_path / "hook.py").write_text(HOOK, encoding="utf-8")
    run_hook = [{"matcher": "bash", "hooks": [{"type": "command",
                                               "command": f"{shlex.quote(sys.executable)} hook.py"}]}]
    script = [tool_use("bash", command="touch started.txt", run_in_background=True),
              tool_use("bash", command="echo hi", run_in_background=True), text("ok")]
    agent, model = chapter_agent(tmp_path, script, {"hooks": {"PreToolUse": run_hook, "PostToolUse": run_hook}},
                                 mode="bypassPermissions")
    agent.run("go")
    blocked = result_of(model.calls[1])
    assert blocked["is_error"] and "no touching from the background" in blocked["content"]
    agent.close()
    assert not (tmp_path / "started.txt").exists()
    events = [json.loads(line) for line in (tmp_path / "hook-events.jsonl").read_text().splitlines()]
    assert [(e["hook_event_name"], e["tool_input"]["command"]) for e in events] == [
        ("PreToolUse", "touch started.txt"), ("PreToolUse", "echo hi"), ("PostToolUse", "echo hi")]
    assert all(e["tool_input"]["run_in_background"] is True for e in events)
    assert "Started in the background as bg-" in str(events[-1]["tool_response"])
