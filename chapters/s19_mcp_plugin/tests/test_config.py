"""Configuration: the three places, Claude Code's shape, `${VAR:-default}`, approval, names."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s01_agent_loop.errors import ConfigurationError
from s19_mcp_plugin.approval import approved
from s19_mcp_plugin.config import expand, load_servers
from s19_mcp_plugin.naming import NAME, tool_name


def write(path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def test_expand_takes_the_variable_else_the_default_and_refuses_an_unset_one():
    env = {"PORT": "8080", "EMPTY": ""}
    assert expand("${HOST:-localhost}:${PORT}", env, "x") == "localhost:8080"
    assert expand("${EMPTY:-fallback} ${EMPTY}|", env, "x") == "fallback |"  # `:-` also covers empty
    assert expand("${PORT:-}", env, "x") == "8080"
    with pytest.raises(ConfigurationError, match=r"f\.json: mcpServers\.a: \$\{TOKEN\} is not set"):
        expand("Bearer ${TOKEN}", env, "f.json: mcpServers.a")


def test_servers_come_from_user_local_project_and_the_command_line_the_specific_one_winning(tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    write(home / ".claude.json", {
        "mcpServers": {"a": {"command": "user-a"}, "b": {"command": "user-b"}, "c": {"command": "user-c"}},
        "projects": {str(work.resolve()): {"mcpServers": {"d": {"command": "local-d"}}}}})
    write(work / ".mcp.json", {"mcpServers": {
        "b": {"type": "stdio", "command": "${TOOL:-project-b}", "args": ["--port", "${PORT}"], "env": {"K": "${K:-v}"}},
        "d": {"command": "project-d"},  # the local definition wins
        "web": {"type": "http", "url": "http://127.0.0.1:${PORT}/mcp", "headers": {"Authorization": "Bearer ${T:-x}"}}}})
    write(tmp_path / "more.json", {"mcpServers": {"c": {"type": "http", "url": "http://127.0.0.1:9/mcp"}}})
    servers = load_servers(work, home, [tmp_path / "more.json"], env={"PORT": "8080"})
    assert {name: (s.scope, s.describe()) for name, s in servers.items()} == {
        "a": ("user", "stdio: user-a"), "b": ("project", "stdio: project-b --port 8080"),
        "c": ("cli", "http: http://127.0.0.1:9/mcp"), "d": ("local", "stdio: local-d"),
        "web": ("project", "http: http://127.0.0.1:8080/mcp")}
    assert servers["b"].env == {"K": "v"} and servers["web"].headers == {"Authorization": "Bearer x"}


@pytest.mark.parametrize("text, message", [
    ('{"mcpServers": {"a": {"command": "x",}}}', r"^\.mcp\.json: line 1 column \d+: not valid JSON"),
    ('{"mcpServers": []}', r"^\.mcp\.json: expected"),
    ('{"mcpServers": {"a": {"type": "stdio"}}}', r"^\.mcp\.json: mcpServers\.a: a stdio server needs a command"),
    ('{"mcpServers": {"a": {"type": "ws", "url": "x"}}}', r"^\.mcp\.json: mcpServers\.a: type must be stdio or http"),
    ('{"mcpServers": {"a": {"command": "x", "args": "-v"}}}', r"^\.mcp\.json: mcpServers\.a\.args: expected a list"),
])
def test_a_broken_mcp_json_is_one_error_naming_the_file_and_the_place(tmp_path, text, message):
    write(tmp_path / ".mcp.json", text)
    with pytest.raises(ConfigurationError, match=message):
        load_servers(tmp_path, tmp_path / "home")


def test_a_project_server_is_asked_about_once_and_the_answer_remembered(tmp_path):
    write(tmp_path / ".mcp.json", {"mcpServers": {"yes": {"command": "a"}, "no": {"command": "b"}}})
    write(tmp_path / ".claude" / "settings.local.json", {"permissions": {"allow": ["Bash(ls:*)"]}})
    write(tmp_path / "home" / ".claude.json", {"mcpServers": {"mine": {"command": "c"}}})
    servers = load_servers(tmp_path, tmp_path / "home")
    asked = []

    def confirm(question):
        asked.append(question)
        return "'yes'" in question

    assert set(approved(servers, tmp_path, confirm, print, tmp_path / "home")) == {"yes", "mine"}
    assert len(asked) == 2 and "It runs with your permissions" in asked[0]  # the user's own server: not asked
    local = json.loads((tmp_path / ".claude" / "settings.local.json").read_text(encoding="utf-8"))
    assert local == {"permissions": {"allow": ["Bash(ls:*)"]}, "enabledMcpjsonServers": ["yes"],
                     "disabledMcpjsonServers": ["no"]}  # the rest of the file kept
    assert set(approved(servers, tmp_path, confirm, print, tmp_path / "home")) == {"yes", "mine"}
    assert len(asked) == 2  # remembered: not asked again, a no included


def test_with_no_one_to_ask_an_unapproved_server_is_refused_with_a_line_saying_how_to_approve(tmp_path):
    write(tmp_path / ".mcp.json", {"mcpServers": {"x": {"command": "a"}, "y": {"command": "b"}}})
    warned = []
    assert approved(load_servers(tmp_path, tmp_path), tmp_path, None, warned.append, tmp_path) == {}
    assert "'x' in .mcp.json is not approved" in warned[0] and "enabledMcpjsonServers" in warned[0]
    write(tmp_path / ".claude" / "settings.json", {"enableAllProjectMcpServers": True})
    assert set(approved(load_servers(tmp_path, tmp_path), tmp_path, None, warned.append, tmp_path)) == {"x", "y"}


def test_names_are_mcp_server_tool_made_valid():
    assert tool_name("wordstats", "word_count") == "mcp__wordstats__word_count"
    assert tool_name("my server", "read.file") == "mcp__my_server__read_file"
    long = tool_name("s" * 40, "t" * 40)
    assert len(long) == 64 and NAME.match(long) and long == tool_name("s" * 40, "t" * 40)  # stable


@given(st.lists(st.tuples(st.text(min_size=1, max_size=70), st.text(min_size=1, max_size=90)), max_size=30))
def test_names_are_always_valid_and_never_collide(pairs):
    taken: set[str] = set()
    for server, tool in pairs:
        name = tool_name(server, tool, taken)
        assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", name) and name not in taken
        taken.add(name)
