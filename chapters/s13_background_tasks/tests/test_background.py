"""BackgroundJobs in the loop: s02's harness, the real tools, the in-process scripted model. A test
tool, `settle`, opens the gate `go` that the commands wait for (`GATED`) and waits for every job to
end, so a job's end lands between two requests exactly where a test wants it (`open_gate` only opens
it). Job ids are random: a scripted input "JOB" stands for the newest job's id."""

import io
import os
import threading
from pathlib import Path

import pytest
from prompt_toolkit import PromptSession
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from pydantic import BaseModel
from rich.console import Console

from s01_agent_loop import AgentConfig
from s01_agent_loop.cli.inbox import Inbox
from s01_agent_loop.cli.testing import RecordingView, slash, wait_until
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s02_tool_use import Harness
from s02_tool_use.tools import Tool
from s02_tool_use.wiring import TOOLS
from s04_subagent.subagents import Subagents
from s13_background_tasks import BackgroundJobs

CONFIG = AgentConfig(model="claude-test")
GATED = "until [ -e go ]; do sleep 0.01; done; "


class Nothing(BaseModel):
    pass


class JobAware(ScriptedModel):
    """The scripted model, with "JOB" in a tool input replaced by the newest job's id."""

    jobs: BackgroundJobs

    def query(self, request, on_text=None):
        reply = super().query(request, on_text)
        newest = list(self.jobs.jobs)[-1] if self.jobs.jobs else "JOB"
        for block in reply.content:
            if block.type == "tool_use":
                block.input = {key: newest if value == "JOB" else value for key, value in block.input.items()}
        return reply


def agent_with(tmp_path, script, **options):
    jobs = BackgroundJobs(Inbox(), **options)

    def settled(args, ctx) -> str:
        (tmp_path / "go").touch()
        return "settled" if all(job.done.wait(10) for job in jobs.jobs.values()) else "still running"

    settle = Tool("settle", "Open the gate; wait until every background job has ended.", Nothing, settled)
    open_gate = Tool("open_gate", "Open the gate.", Nothing, lambda args, ctx: (tmp_path / "go").touch() or "open")
    model = JobAware(script)
    model.jobs = jobs
    agent = Harness(model, CONFIG, tmp_path, RecordingView(), tools=[*TOOLS, settle, open_gate], extensions=[jobs])
    return agent, model, jobs


def background(command: str, **more):
    return tool_use("bash", command=command, run_in_background=True, **more)


def last_user(request: dict) -> list[dict]:
    return request["messages"][-1]["content"]


def notes(requests: list[dict]) -> list[str]:
    """The notes in the conversation as the last request sent it."""
    return [block["text"] for message in requests[-1]["messages"] if message["role"] == "user"
            for block in message["content"] if block.get("type") == "text" and "<background-tasks>" in block["text"]]


# --- starting -------------------------------------------------------------------------------


def test_foreground_bash_is_s02s_and_the_background_one_returns_at_once(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [tool_use("bash", command="echo fore"),
                                               background("sleep 300; touch late.txt"), text("ok")])
    agent.run("go")
    first, second = (block["content"] for block in (last_user(model.calls[1])[0], last_user(model.calls[2])[0]))
    assert first == "fore"  # s02's bash, unchanged
    (job,) = jobs.jobs.values()
    assert second.startswith(f"Started in the background as {job.id}; output: .harness/background/{job.id}.out")
    assert job.running and not (tmp_path / "late.txt").exists()
    schema = next(spec for spec in model.calls[0]["tools"] if spec["name"] == "bash")["input_schema"]
    assert schema["properties"]["run_in_background"]["type"] == "boolean"
    agent.close()
    assert not job.running and job.status == "killed at exit"


def test_a_bad_input_is_an_error_result_the_model_can_correct(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [tool_use("bash", command="true", run_in_background=[1]),
                                               tool_use("TaskOutput", task_id="bg-nope"), text("ok")])
    agent.run("go")
    bad_input, unknown = last_user(model.calls[1])[0], last_user(model.calls[2])[0]
    assert bad_input["is_error"] and "run_in_background" in bad_input["content"]
    assert unknown["is_error"] and "No background command 'bg-nope' (known: none in this session)" in unknown["content"]
    assert jobs.jobs == {}


def test_too_many_running_jobs_are_refused_with_the_way_out(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [background("sleep 300"), background("sleep 300"), text("ok")],
                                    max_running=1)
    agent.run("go")
    refused = last_user(model.calls[2])[0]
    assert refused["is_error"] and "1 background commands are running already (at most 1)" in refused["content"]
    assert "TaskStop" in refused["content"] and len(jobs.jobs) == 1
    agent.close()


def test_running_lists_only_the_jobs_still_running_in_start_order(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [background("sleep 300"), background("true"),
                                               background("sleep 300"), text("ok")])
    agent.run("go")
    first, quick, third = jobs.jobs.values()
    assert quick.done.wait(10)
    assert jobs.running() == [first, third]
    agent.close()
    assert jobs.running() == []


# --- the announcement -----------------------------------------------------------------------


def test_the_model_is_told_once_after_the_tool_results_with_id_exit_code_and_tail(tmp_path):
    script = [message(background(GATED + "echo alpha; exit 4"), background(GATED + "seq 1 40")), tool_use("settle"), tool_use("read_file", path="a.txt"), text("ok")]
    (tmp_path / "a.txt").write_text("a\n")
    agent, model, jobs = agent_with(tmp_path, script)
    agent.run("go")
    one, two = jobs.jobs.values()
    blocks = last_user(model.calls[2])
    assert [block["type"] for block in blocks] == ["tool_result", "text"]  # the results first, one note after
    note = blocks[1]["text"]
    assert f"{one.id} `{GATED}echo alpha; exit 4`: exit code 4 after" in note and "alpha" in note
    assert f"{two.id} `{GATED}seq 1 40`: exit code 0 after" in note
    assert "\n26\n" in note and "\n40\n" in note and "\n25\n" not in note  # the last 15 lines
    assert f"in .harness/background/{two.id}.out" in note
    assert notes(model.calls) == [note]  # told once: the next request has no second note
    assert any("the model is told" in text for text in agent.view.texts)


def test_the_user_is_told_at_once_with_no_turn_running(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [background("echo hi; exit 2"), text("started")])
    told = threading.Event()
    jobs.inbox.tell = lambda item, tell=jobs.inbox.tell: (tell(item), told.set())
    agent.run("go")
    assert told.wait(10)  # the turn is over; nobody asked
    (line,) = [str(item) for item in jobs.inbox.told]
    (job,) = jobs.jobs.values()
    assert line == f"✘ {job.id} ended: exit code 2 after {job.ending().split(' after ')[1]} · echo hi; exit 2"


def test_an_end_told_while_the_user_types_leaves_the_half_typed_line_alone(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [background(GATED + "echo hi"), text("started")])
    agent.run("go")
    told = threading.Event()
    jobs.inbox.tell = lambda item, tell=jobs.inbox.tell: (tell(item), told.set())
    with create_pipe_input() as keyboard:
        jobs.inbox.session = PromptSession(input=keyboard, output=DummyOutput())
        keyboard.send_text("git sta")  # typed, not yet sent

        def end_the_job_then_finish_typing():
            assert wait_until(lambda: jobs.inbox.session.app.is_running)  # the editor is up, holding the line
            (tmp_path / "go").touch()
            assert told.wait(10)
            keyboard.send_text("tus\r")

        thread = threading.Thread(target=end_the_job_then_finish_typing)
        thread.start()
        assert jobs.inbox.next() == "git status"  # the editor was not interrupted; the line is whole
        thread.join()
    assert "ended: exit code 0" in str(jobs.inbox.told[-1])


def test_a_prompt_after_an_idle_end_carries_the_note_after_the_prompt(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [background(GATED + "echo done"), text("started"), text("noted")])
    agent.run("start it")
    (job,) = jobs.jobs.values()
    (tmp_path / "go").touch()
    assert job.done.wait(10)
    agent.run("anything new?")
    texts = [block["text"] for block in last_user(model.calls[2])]
    assert texts[0] == "anything new?" and f"{job.id} `{GATED}echo done`: exit code 0" in texts[1]


def test_taskoutput_block_waits_for_the_end_and_then_no_note_repeats_it(tmp_path):
    (tmp_path / "a.txt").write_text("a\n")
    script = [background(GATED + "sleep 0.2; echo one; echo two"),
              message(tool_use("open_gate"), tool_use("TaskOutput", task_id="JOB", block=True, timeout=30)),
              tool_use("read_file", path="a.txt"), text("ok")]
    agent, model, jobs = agent_with(tmp_path, script)
    agent.run("go")
    (job,) = jobs.jobs.values()
    result = last_user(model.calls[2])[1]["content"]
    assert result.startswith(f"{job.id} ended: exit code 0 after ")
    assert result.endswith("New output since the last read:\none\ntwo")
    assert notes(model.calls) == []  # the model read the end itself


def test_taskoutput_without_block_reads_new_output_and_says_it_still_runs(tmp_path):
    fifo = tmp_path / "go"
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs a FIFO")
    os.mkfifo(fifo)
    agent, model, jobs = agent_with(tmp_path, [background("echo first; read x < go; echo second"), text("started")])
    agent.run("go")
    (job,) = jobs.jobs.values()
    assert wait_until(lambda: job.size == 6)
    model.script += [tool_use("TaskOutput", task_id=job.id), text("ok")]
    agent.run("how is it?")
    answer = last_user(model.calls[3])[0]["content"]
    assert answer.startswith(f"{job.id} is still running, for ") and answer.endswith("New output since the last read:\nfirst")
    with open(fifo, "w") as pipe:
        pipe.write("x\n")
    assert job.done.wait(10)
    assert "\nsecond\n" in job.tail() + "\n" and not job.reported  # the note will say how it ended


def test_taskstop_kills_it_and_reports_the_end_itself(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [background("echo going; sleep 300"), text("started")])
    agent.run("go")
    (job,) = jobs.jobs.values()
    assert wait_until(lambda: job.size == 6)
    model.script += [tool_use("TaskStop", task_id=job.id), tool_use("TaskStop", task_id=job.id), text("ok")]
    agent.run("stop it")
    stopped, again = last_user(model.calls[3])[0]["content"], last_user(model.calls[4])[0]["content"]
    assert stopped.startswith(f"Stopped {job.id} and everything it started: stopped after ")
    assert stopped.endswith("Last lines of its output:\ngoing")
    assert again.startswith(f"{job.id} had ended already: stopped after")
    assert notes(model.calls) == [] and job.status == "stopped" and job.exit_text == "SIGKILL"


def test_joblist_lists_every_job_for_the_model(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [background("exit 1"), tool_use("settle"), background("sleep 300"),
                                               tool_use("JobList"), text("ok")])
    agent.run("go")
    first, second = jobs.jobs.values()
    listing = last_user(model.calls[4])[0]["content"].splitlines()
    assert listing[0].startswith(f"{first.id}  failed  exit 1  ") and listing[0].endswith("0B of output  exit 1")
    assert listing[1].startswith(f"{second.id}  running  exit -  ") and listing[1].endswith("sleep 300")
    agent.close()


# --- the REPL, /clear, the end ---------------------------------------------------------------


def test_slash_jobs_shows_the_table_and_stops_one(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [background("printf 'x%.0s' $(seq 1 1500)"), tool_use("settle"),
                                               background("sleep 300"), text("ok")])
    agent.run("go")
    done, running = jobs.jobs.values()
    out = Console(file=io.StringIO(), width=80, color_system=None)
    slash(agent, "/jobs", out)
    rows = out.file.getvalue().splitlines()
    assert rows[0].split() == ["id", "command", "status", "exit", "runtime", "output"]
    assert rows[1].split()[0] == done.id and rows[1].rstrip().endswith("✔ done     0       0.0 s   1.5KB")
    assert rows[2].split()[0] == running.id and "◷ running  -" in rows[2]
    assert all(len(row) <= 80 for row in rows)
    slash(agent, f"/jobs stop {running.id}", out)
    assert running.status == "stopped" and not running.reported  # the model hears of it with its next request
    slash(agent, "/jobs stop bg-nope", out)
    assert "no background command 'bg-nope'" in out.file.getvalue()


@pytest.mark.parametrize("switch", ["clear", "resume"])
def test_clear_keeps_jobs_running_and_the_new_conversation_is_not_told(tmp_path, switch):
    fifo = tmp_path / "go"
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs a FIFO")
    os.mkfifo(fifo)
    agent, model, jobs = agent_with(tmp_path, [background("read x < go"), text("started"), text("fresh")])
    agent.run("go")
    if switch == "clear":
        agent.new_session()  # /clear
    else:  # full's /resume: an earlier conversation, which never started this job
        agent.resume([{"role": "user", "content": [{"type": "text", "text": "earlier"}]},
                      {"role": "assistant", "content": [{"type": "text", "text": "ok"}]}], {})
    (job,) = jobs.jobs.values()
    assert job.running and "1 background command keeps running" in str(jobs.inbox.told[-1])
    with open(fifo, "w") as pipe:
        pipe.write("x\n")
    assert job.done.wait(10)
    agent.run("hello again")
    assert notes(model.calls) == [] and f"{job.id} ended" in str(jobs.inbox.told[-1])  # the user is told


def test_session_end_kills_every_tree_leaves_no_zombie_and_no_file(tmp_path):
    agent, model, jobs = agent_with(tmp_path, [background("sleep 300 & sleep 301"), background("sleep 302"),
                                               text("ok")])
    agent.run("go")
    pids = [job.process.pid for job in jobs.jobs.values()]
    agent.close()  # what the command line does at exit: SessionEnd
    assert [job.status for job in jobs.jobs.values()] == ["killed at exit", "killed at exit"]
    assert all(not Path(f"/proc/{pid}").exists() for pid in pids) if Path("/proc").exists() else True
    assert not any((tmp_path / ".harness" / "background").iterdir())
    assert "stopped 2 background commands at exit" in str(jobs.inbox.told[-1])
    model.script += [background("true"), text("ok")]
    agent.run("more?")
    assert "The session is ending" in last_user(model.calls[-1])[0]["content"]


def test_a_subagent_runs_commands_in_the_foreground_only(tmp_path):
    script = [tool_use("Task", description="look", prompt="list files"),
              tool_use("bash", command="echo child", run_in_background=True), text("child done"), text("ok")]
    agent, model, jobs = agent_with(tmp_path, script)
    agent.use(Subagents())
    agent.run("delegate")
    child_request = model.calls[1]
    child_bash = next(spec for spec in child_request["tools"] if spec["name"] == "bash")
    assert "run_in_background" not in child_bash["input_schema"]["properties"]
    assert not {"TaskOutput", "TaskStop", "JobList"} & {spec["name"] for spec in child_request["tools"]}
    assert last_user(model.calls[2])[0]["content"] == "child"  # extra input ignored: it ran in the foreground
    assert jobs.jobs == {}

