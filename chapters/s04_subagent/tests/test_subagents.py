"""The Task tool through the real loop: a parent Harness and its children share one ScriptedModel,
which plays the parent's and the children's replies in the order the requests come."""

from collections import Counter

from rich.console import Console

from s01_agent_loop import AgentConfig, View
from s01_agent_loop.cli.testing import RecordingView, slash, system_text
from s01_agent_loop.scripted import ScriptedModel, message, text, tool_use
from s02_tool_use import Extension, Harness, Section, Tool
from s02_tool_use.wiring import TOOLS
from s04_subagent.subagents import Subagents

CONFIG = AgentConfig(model="claude-test", max_turns=10)
PROMPT = "Find median_word_length and report where it is."


def task(subagent_type="Explore", prompt=PROMPT, description="find the median code"):
    return tool_use("Task", description=description, prompt=prompt, subagent_type=subagent_type)


def parent(tmp_path, script, *extensions, subagents=None, view=None):
    model = ScriptedModel(script)
    agent = Harness(model, CONFIG, tmp_path, view, tools=TOOLS, extensions=[*extensions, subagents or Subagents()])
    return agent, model


def tool_names(request) -> list[str]:
    return [tool["name"] for tool in request["tools"]]


def last_results(request) -> list[dict]:
    return [b for b in request["messages"][-1]["content"] if b["type"] == "tool_result"]


def write_project(tmp_path):
    (tmp_path / "stats.py").write_text("def median_word_length(text):\n    return 0\n", encoding="utf-8")


# --- fresh context, only the final text back ------------------------------------------------


def test_the_child_starts_fresh_and_only_its_final_text_reaches_the_parent(tmp_path):
    write_project(tmp_path)
    script = [task(), tool_use("grep", pattern="def median"), text("It is in stats.py, line 1."), text("Done.")]
    agent, model = parent(tmp_path, script)

    assert agent.run("Where is the median computed?") == "Done."
    model.assert_done()
    child_first = model.calls[1]
    assert child_first["messages"] == [{"role": "user", "content": [{"type": "text", "text": PROMPT}]}]
    assert tool_names(child_first) == ["read_file", "glob", "grep"]
    assert "read-only search specialist" in system_text(child_first)
    assert "stats.py:1:def median_word_length" in last_results(model.calls[2])[0]["content"]
    # the parent's context grew by the child's final text alone
    assert len(model.calls[3]["messages"]) == 3
    assert last_results(model.calls[3]) == [
        {"type": "tool_result", "tool_use_id": agent.messages[1]["content"][0]["id"],
         "content": "It is in stats.py, line 1."}]
    calls_seen_by_parent = [b["name"] for m in agent.messages for b in m["content"] if b["type"] == "tool_use"]
    assert calls_seen_by_parent == ["Task"]


def test_no_recursion_the_child_has_no_task_tool_and_calling_it_is_an_unknown_tool(tmp_path):
    script = [task("general-purpose"), tool_use("Task", description="again", prompt="go deeper"),
              text("I cannot start subagents; here is my answer."), text("Done.")]
    agent, model = parent(tmp_path, script)
    agent.run("go")
    assert tool_names(model.calls[1]) == ["bash", "read_file", "write_file", "edit_file", "glob", "grep"]
    refused = last_results(model.calls[2])[0]
    assert refused["is_error"] is True and refused["content"].startswith("Unknown tool 'Task'. Available tools: bash")
    assert last_results(model.calls[3])[0]["content"] == "I cannot start subagents; here is my answer."
    model.assert_done()


def test_a_child_that_hits_its_turn_cap_returns_what_it_has_with_a_note(tmp_path):
    busy = message(text("Halfway: the median is in stats.py."), tool_use("glob", pattern="*.py"))
    script = [task(), tool_use("glob", pattern="*"), busy, text("Noted.")]
    agent, model = parent(tmp_path, script, subagents=Subagents(max_turns=2))
    assert agent.run("go") == "Noted."
    result = last_results(model.calls[3])[0]
    assert "is_error" not in result
    assert result["content"].startswith("Halfway: the median is in stats.py.")
    assert "hit its limit of 2 model calls" in result["content"]
    model.assert_done()


def test_an_unknown_subagent_type_is_an_error_listing_the_known_types(tmp_path):
    agent, model = parent(tmp_path, [task("Planner"), text("ok")])
    agent.run("go")
    result = last_results(model.calls[1])[0]
    assert result["is_error"] is True
    assert result["content"] == "Unknown subagent_type 'Planner'. Available types: general-purpose, Explore."
    assert len(model.calls) == 2  # no child ever ran


# --- agent types from files -----------------------------------------------------------------


def agent_file(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(text, encoding="utf-8")


def test_agent_files_set_tools_model_and_instructions_of_the_child(tmp_path):
    agents = tmp_path / ".claude" / "agents"
    agent_file(agents, "lister", "---\nname: lister\ndescription: Lists files.\ntools: glob, Bash\nmodel: haiku\n---\nOnly list.")
    agent_file(agents, "fast", "---\nname: fast\ndescription: Fast.\ntools: [Read, grep]\nmodel: claude-fast-1\n---\n")
    script = [task("lister"), text("a.py"), task("fast"), text("b.py"), text("Done.")]
    agent, model = parent(tmp_path, script)
    agent.run("go")
    lister, fast = model.calls[1], model.calls[3]
    assert tool_names(lister) == ["bash", "glob"] and tool_names(fast) == ["read_file", "grep"]
    assert lister["model"] == "claude-test" and fast["model"] == "claude-fast-1"  # haiku means inherit
    assert system_text(lister).endswith("Only list.") and "subagent of type lister" in system_text(lister)
    # the parent's Task description lists every type, files included, from its first request on
    description = next(t["description"] for t in model.calls[0]["tools"] if t["name"] == "Task")
    assert "- lister: Lists files. (Tools: glob, bash)" in description
    assert "- general-purpose: General-purpose agent" in description


class Folder:
    """An isolation that hands each child a folder of its own and records what it was told."""

    def __init__(self, root):
        self.root, self.calls = root, []

    def enter(self, parent, agent_type, description):
        self.calls.append(("enter", agent_type.name, description))
        (self.root / "lane").mkdir()
        return self.root / "lane", "You work in a lane of your own."

    def leave(self, parent, workdir):
        self.calls.append(("leave", workdir.name))
        return "[the lane is kept]"


def test_an_isolated_type_runs_its_child_in_the_work_dir_an_isolation_gives_it(tmp_path):
    agent_file(tmp_path / ".claude" / "agents", "fixer", "---\nname: fixer\ndescription: Fixes.\nisolation: worktree\n---\n")
    subagents = Subagents()
    agent, model = parent(tmp_path, [task("fixer"), text("Cannot.")], subagents=subagents)
    # 1. nothing offers the worktree isolation: the Task is refused, and no child runs
    agent.run("fix it")
    assert "asks for isolation: worktree, which this harness does not offer" in last_results(model.calls[1])[0]["content"]
    # 2. a later chapter offers it: the child works in its folder, and the parent hears where it is
    subagents.isolations["worktree"] = isolation = Folder(tmp_path)
    model.script += [task("fixer", description="fix in a lane"), tool_use("write_file", path="fix.txt", content="fixed"),
                     text("Fixed it."), text("Done.")]
    agent.run("now in a lane")
    assert (tmp_path / "lane" / "fix.txt").read_text(encoding="utf-8") == "fixed" and not (tmp_path / "fix.txt").exists()
    assert "You work in a lane of your own." in system_text(model.calls[3])
    assert last_results(model.calls[5])[0]["content"] == "Fixed it.\n\n[the lane is kept]"
    assert isolation.calls == [("enter", "fixer", "fix in a lane"), ("leave", "lane")]
    description = next(t["description"] for t in model.calls[0]["tools"] if t["name"] == "Task")
    assert "- fixer: Fixes. (Tools: all; works in a git worktree of its own)" in description


def test_a_malformed_agent_file_is_shown_at_startup_naming_the_file_and_others_still_load(tmp_path):
    agents = tmp_path / ".claude" / "agents"
    agent_file(agents, "good", "---\nname: good\ndescription: Works.\n---\nHi.")
    agent_file(agents, "typo", "---\nname: typo\ndescription: Bad tool.\ntools: reed_file\n---\n")
    view = RecordingView()
    agent, model = parent(tmp_path, [task("good"), text("fine"), text("Done.")], view=view)
    agent.run("go")
    warnings = [line for line in view.texts if line.startswith("warning:")]
    assert len(warnings) == 1 and str(agents / "typo.md") in warnings[0] and "reed_file" in warnings[0]
    assert view.texts.index(warnings[0]) == 0  # before anything else of the session
    assert last_results(model.calls[2])[0]["content"] == "fine"


# --- the for_subagent protocol, events and the view -----------------------------------------


class Named(Extension):
    """An extension that writes a named section into the system prompt."""

    def __init__(self, name):
        self.name = name

    def system_prompt(self, agent):
        return Section(self.name, f"SECTION {self.name}")


class Shared(Named):
    def for_subagent(self):
        return self


class Fresh(Named):
    def for_subagent(self):
        return Fresh(self.name + " (child)")


class OptOut(Named):
    def for_subagent(self):
        return None


class WithTool(Named):
    def tools(self):
        return [Tool("parent_only", "A tool of the parent.", TOOLS[0].input_model, TOOLS[0].run)]


def test_only_extensions_with_for_subagent_are_in_the_child_and_left_out_ones_keep_their_tools(tmp_path):
    script = [task("general-purpose"), text("child done"), text("Done.")]
    extensions = Shared("S"), Fresh("F"), OptOut("O"), WithTool("W"), Named("N")
    agent, model = parent(tmp_path, script, *extensions)
    agent.run("go")
    parent_system, child_system = system_text(model.calls[0]), system_text(model.calls[1])
    assert all(f"SECTION {n}" in parent_system for n in "SFOWN")
    assert "SECTION S" in child_system and "SECTION F (child)" in child_system
    assert not any(f"SECTION {n}" in child_system for n in "OWN")
    assert "parent_only" in tool_names(model.calls[0]) and "parent_only" not in tool_names(model.calls[1])


class Recorder(Extension):
    def __init__(self):
        self.events = Counter()
        self.data = []

    def on_event(self, agent, event, data):
        self.events[event] += 1
        if event == "SubagentStop":
            self.data.append(data)


def test_subagent_stop_is_emitted_on_the_parent(tmp_path):
    recorder = Recorder()
    agent, _ = parent(tmp_path, [task(), text("found"), text("Done.")], recorder)
    agent.run("go")
    assert recorder.events == {"SessionStart": 1, "UserPromptSubmit": 1, "SubagentStop": 1, "Stop": 1, "TurnEnd": 1}
    assert recorder.data == [{"agent_type": "Explore", "description": "find the median code"}]


def test_the_child_draws_in_the_nested_view_between_a_header_and_a_closing_line(tmp_path):
    view = RecordingView()
    script = [task(), tool_use("glob", pattern="*"), text("nothing here"), text("Done.")]
    agent, _ = parent(tmp_path, script, view=view)
    agent.run("go")
    assert view.tools == ["Task"]
    [child] = view.children
    assert child.tools == ["glob"]
    assert view.texts == ["▸ Task(Explore): find the median code",
                          "◂ Explore done: 2 model calls, 1 tool call; 12 characters back to the parent"]


def test_a_view_without_nested_gives_the_child_a_plain_view(tmp_path):
    class Flat(View):
        def __init__(self):
            self.tools = []

        def tool_start(self, name, tool_input):
            self.tools.append(name)

    view = Flat()
    agent, _ = parent(tmp_path, [task(), tool_use("glob", pattern="*"), text("x"), text("Done.")], view=view)
    agent.run("go")
    assert view.tools == ["Task"]


def test_the_agents_command_lists_types_and_where_they_come_from(tmp_path):
    home, project = tmp_path / "home", tmp_path / "project"
    agent_file(home / ".claude" / "agents", "helper", "---\nname: helper\ndescription: From home.\n---\n")
    agent_file(project / ".claude" / "agents", "reviewer", "---\nname: reviewer\ndescription: Project's.\n---\n")
    agent_file(project / ".claude" / "agents", "broken", "no frontmatter here")
    agent, _ = parent(project, [], subagents=Subagents(home=home))
    console = Console(record=True, width=300)
    slash(agent, "/agents", console)
    out = console.export_text()
    assert "general-purpose  built-in" in out and "tools: bash, read_file, write_file, edit_file, glob, grep" in out
    assert "Explore  built-in · model: inherit · tools: read_file, glob, grep" in out
    assert f"helper  user {home / '.claude' / 'agents' / 'helper.md'}" in out
    assert "reviewer  project .claude/agents/reviewer.md" in out and "Project's." in out
    assert f"skipped {project / '.claude' / 'agents' / 'broken.md'}: no YAML frontmatter" in out
