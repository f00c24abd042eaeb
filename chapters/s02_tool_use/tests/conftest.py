"""`call(name, **input)`: a tool call the way the loop makes it, through the registry, in tmp_path;
`backend`: a test run once with each grep implementation."""

from pathlib import Path

import pytest

from s02_tool_use import search
from s02_tool_use.files import FILE_TOOLS
from s02_tool_use.search import SEARCH_TOOLS
from s02_tool_use.tools import ToolContext, ToolRegistry, ToolResult


@pytest.fixture
def call(tmp_path: Path):
    registry = ToolRegistry().add(*FILE_TOOLS, *SEARCH_TOOLS)

    def call(name: str, **tool_input) -> ToolResult:
        return registry.call(name, tool_input, ToolContext(workdir=tmp_path))

    return call


HAVE_RG = search.ripgrep_binary() is not None


@pytest.fixture(params=["python", "ripgrep"])
def backend(request, monkeypatch) -> str:
    """Run the test with each grep implementation the tool can pick."""
    if request.param == "ripgrep" and not HAVE_RG:
        pytest.skip("ripgrep (rg) is not installed")
    if request.param == "python":
        monkeypatch.setattr(search, "ripgrep_binary", lambda: None)
    return request.param
