"""The command line, end to end: a child process, the real SDK, the scripted model on loopback."""

import subprocess
import sys

from s01_agent_loop.cli.testing import run_chapter
from s01_agent_loop.scripted import Fault, ScriptedServer, say, step


def endpoint(server) -> dict:
    return {"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": "test-key", "MODEL_ID": "claude-test"}


def test_demo_runs_to_the_end():
    result = run_chapter("s01_agent_loop", "--demo")
    assert result.returncode == 0, result.stderr
    assert "DEMO: a scripted model" in result.stdout
    assert "test_median_even" in result.stdout
    assert "scratch project is kept" not in result.stderr  # removed at exit (--keep keeps it)
    assert "Traceback" not in result.stderr


def test_query_prints_only_the_answer_on_stdout(tmp_path):
    (tmp_path / "hello.txt").write_text("hello from the work dir\n")
    script = [
        step(text="Looking.", tool_use=[{"name": "bash", "input": {"command": "cat hello.txt"}}],
             expect={"last_user_contains": "what does hello.txt say"}),
        step(text="It says: hello from the work dir.", expect={"tool_result_contains": "hello from the work dir"}),
    ]
    with ScriptedServer(script) as server:
        result = run_chapter("s01_agent_loop", "-q", "what does hello.txt say?", cwd=tmp_path, env=endpoint(server))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "It says: hello from the work dir.\n"
    assert "cat hello.txt" in result.stderr  # progress goes to stderr
    server.assert_done()
    assert server.requests[0]["model"] == "claude-test"


def test_auth_token_alone_is_enough(tmp_path):
    with ScriptedServer([say("hi")]) as server:
        env = {"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_AUTH_TOKEN": "token"}
        result = run_chapter("s01_agent_loop", "-q", "hello", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hi\n"


def test_missing_credentials_is_one_line_and_exit_2(tmp_path):
    result = run_chapter("s01_agent_loop", "-q", "hello", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "ANTHROPIC_API_KEY" in lines[0] and "--demo" in lines[0]


def test_api_error_is_one_line_not_a_traceback(tmp_path):
    with ScriptedServer([Fault(status=401)]) as server:
        result = run_chapter("s01_agent_loop", "-q", "hello", cwd=tmp_path, env=endpoint(server))
    assert result.returncode == 1
    assert "401" in result.stderr and "Traceback" not in result.stderr


def test_a_stream_that_ends_before_message_stop_is_not_taken_for_an_answer(tmp_path):
    with ScriptedServer([Fault(end_early=True)]) as server:
        result = run_chapter("s01_agent_loop", "-q", "hello", cwd=tmp_path, env=endpoint(server))
    assert result.returncode == 1 and result.stdout == ""  # no half answer printed as if whole
    assert "ended before its message_stop" in result.stderr and "Traceback" not in result.stderr


def test_repl_reads_piped_lines_and_keeps_the_conversation(tmp_path):
    script = [say("First answer."), step(text="Second answer.", expect={"messages_at_most": 3})]
    with ScriptedServer(script) as server:
        result = run_chapter(
            "s01_agent_loop", cwd=tmp_path, env=endpoint(server), stdin="first question\n/help\nsecond question\n/exit\n"
        )
    assert result.returncode == 0, result.stderr
    assert "First answer." in result.stdout and "Second answer." in result.stdout
    assert "/exit" in result.stdout  # the /help listing
    server.assert_done()
    assert [m["role"] for m in server.requests[1]["messages"]] == ["user", "assistant", "user"]


def test_version_and_bad_workdir():
    assert run_chapter("s01_agent_loop", "--version").stdout.strip() == "s01_agent_loop 0.1.0"
    result = run_chapter("s01_agent_loop", "--workdir", "/no/such/folder", "-q", "x")
    assert result.returncode == 2 and "not a folder" in result.stderr


def test_help_does_not_import_the_sdk():
    code = (
        "import sys\n"
        "from s01_agent_loop.__main__ import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('anthropic' in sys.modules, 'httpx2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False False"


def test_sample_works_on_a_fresh_copy_of_the_sample_project(tmp_path):
    script = [step(tool_use=[{"name": "bash", "input": {"command": "ls wordstats"}}]),
              step(text="It has stats.py.", expect={"tool_result_contains": "stats.py"})]
    with ScriptedServer(script) as server:
        result = run_chapter("s01_agent_loop", "--sample", "-q", "what is in wordstats?", cwd=tmp_path,
                             env=endpoint(server))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "It has stats.py.\n"
    assert "fresh copy of the sample project" in result.stderr
    assert not any(tmp_path.iterdir())  # the current folder was not touched
    server.assert_done()
    assert run_chapter("s01_agent_loop", "--sample", "--workdir", ".", "-q", "x").returncode == 2


def test_a_chapter_s_run_query_reports_the_q_task_and_its_exit_code_is_the_process_s(tmp_path, capsys):
    from s01_agent_loop.cli import parse_args
    from s01_agent_loop.cli.run import run_agent
    from s01_agent_loop.scripted import ScriptedModel, text
    from s01_agent_loop.wiring import CHAPTER

    seen = []

    def run_query(chapter, agent, args, console):
        seen.append((chapter.name, args.query, agent.run(args.query), console.stderr))
        return 3

    chapter = CHAPTER.extend(name="reporting", title="t", build=CHAPTER.build, here=__file__, run_query=run_query)
    later = chapter.extend(name="later", title="t", build=CHAPTER.build, here=__file__)
    assert later.run_query is run_query  # a later chapter keeps it unless it names its own
    model = ScriptedModel([text("the answer")])
    assert run_agent(chapter, parse_args(chapter, ["-q", "the task"]), model, tmp_path, "claude-test", "") == 3
    assert seen == [("reporting", "the task", "the answer", True)]  # the console is on stderr under -q
    assert capsys.readouterr().out == ""  # s01 printed nothing of its own: the report is run_query's
    model.assert_done()


def test_ctrl_c_while_the_agent_is_built_is_one_line_and_exit_130(tmp_path, capsys, monkeypatch):
    from s01_agent_loop.cli import main
    from s01_agent_loop.wiring import CHAPTER

    def build(session):
        raise KeyboardInterrupt  # the user gave up while, say, an MCP server was being approved

    monkeypatch.setenv("ANTHROPIC_API_KEY", "not-used")
    chapter = CHAPTER.extend(name="slow_start", title="t", build=build, here=__file__)
    assert main(chapter, ["-q", "hi", "--workdir", str(tmp_path)]) == 130
    assert capsys.readouterr().err == "slow_start: interrupted\n"
