"""`call(name, **input)`: a tool call the way the loop makes it, through the registry, in tmp_path."""

from pathlib import Path

import pytest

from s02_tool_use.files import FILE_TOOLS
from s02_tool_use.search import SEARCH_TOOLS
from s02_tool_use.tools import ToolContext, ToolRegistry, ToolResult


@pytest.fixture
def call(tmp_path: Path):
    registry = ToolRegistry().add(*FILE_TOOLS, *SEARCH_TOOLS)

    def call(name: str, **tool_input) -> ToolResult:
        return registry.call(name, tool_input, ToolContext(workdir=tmp_path))

    return call
