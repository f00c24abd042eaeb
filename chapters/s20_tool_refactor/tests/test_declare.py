"""The declaration form: a function's signature (or a pydantic class) is the schema, its docstring
the description; the facts travel; invalid input is an is_error result; a JSON schema passes through."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from s02_tool_use.tools import Tool, ToolContext, ToolRegistry
from s20_tool_refactor.declare import DEFAULT_TIMEOUT, DeclaredTool, adopt, from_schema, timeout_of, tool


@tool(kind="read", read_only=True, path_arg="folder", tip="Count before you read.", timeout=5)
def count_lines(folder: Annotated[str, Field(description="Where to count.")],
                limit: Annotated[int, Field(ge=1, le=50, description="At most this many files.")] = 10,
                *, ctx: ToolContext) -> str:
    """Count the lines of the files in a folder.

    Returns one line per file."""
    return f"{folder}:{limit}:{ctx.workdir.name}"


@tool(name="TopWords", kind="internal", read_only=True)
class TopWords(BaseModel):
    """The most common words of a text."""

    text: str = Field(description="The text.")
    n: int = Field(3, ge=1)

    def __call__(self, ctx: ToolContext) -> str:
        words = self.text.split()
        return " ".join(sorted(set(words), key=lambda w: (-words.count(w), w))[: self.n])


def test_a_function_s_signature_is_its_schema_and_its_docstring_its_description():
    spec = count_lines.spec()
    assert spec["name"] == "count_lines"
    assert spec["description"] == "Count the lines of the files in a folder. Returns one line per file."
    schema = spec["input_schema"]
    assert schema["required"] == ["folder"] and schema["additionalProperties"] is False
    assert schema["properties"]["folder"] == {"description": "Where to count.", "title": "Folder", "type": "string"}
    assert schema["properties"]["limit"] == {"default": 10, "description": "At most this many files.", "maximum": 50,
                                             "minimum": 1, "title": "Limit", "type": "integer"}
    assert "ctx" not in schema["properties"] and "title" not in schema
    assert isinstance(count_lines, Tool) and isinstance(count_lines, DeclaredTool)
    assert (count_lines.kind, count_lines.read_only, count_lines.path_arg, count_lines.tip, count_lines.timeout) == (
        "read", True, "folder", "Count before you read.", 5)


def test_a_pydantic_class_declares_a_tool_too_and_its_docstring_is_not_the_input_s(tmp_path):
    spec = TopWords.spec()
    assert spec["name"] == "TopWords" and spec["description"] == "The most common words of a text."
    assert "description" not in spec["input_schema"]
    assert spec["input_schema"]["required"] == ["text"]
    result = ToolRegistry().add(TopWords).call("TopWords", {"text": "b a b c a b", "n": 2}, ToolContext(tmp_path))
    assert (result.content, result.is_error) == ("b a", False)
    assert tool(type("ReadFile", (BaseModel,), {"__call__": lambda self, ctx: ""})).name == "read_file"
    with pytest.raises(TypeError, match="needs a __call__"):
        tool(type("Nothing", (BaseModel,), {}))


def test_the_function_runs_with_validated_arguments_and_its_context(tmp_path):
    registry = ToolRegistry().add(count_lines)
    result = registry.call("count_lines", {"folder": "src"}, ToolContext(tmp_path))
    assert (result.content, result.is_error) == (f"src:10:{tmp_path.name}", False)


@pytest.mark.parametrize(("raw", "says"), [
    ({}, "folder: Field required"),
    ({"folder": "a", "limit": 0}, "limit: Input should be greater than or equal to 1"),
    ({"folder": "a", "limit": "many"}, "limit: Input should be a valid integer"),
    ({"folder": "a", "colour": "red"}, "colour: Extra inputs are not permitted"),
    ("folder", "Input should be a valid dictionary"),
])
def test_invalid_input_is_an_error_result_naming_the_field(tmp_path, raw, says):
    result = ToolRegistry().add(count_lines, TopWords).call("count_lines", raw, ToolContext(tmp_path))
    assert result.is_error and result.content.startswith("Invalid input for count_lines: ") and says in result.content


def test_a_signature_with_extra_keywords_ignores_unknown_names(tmp_path):
    @tool
    def echo(said: str, **extra: Any) -> str:
        """Say it back."""
        return said

    assert "additionalProperties" not in echo.spec()["input_schema"]
    assert ToolRegistry().add(echo).call("echo", {"said": "hi", "loud": True}, ToolContext(tmp_path)).content == "hi"
    assert (echo.kind, echo.read_only, echo.timeout) == (None, False, None)  # undeclared: the gate asks


def test_a_tool_declared_elsewhere_keeps_its_json_schema_and_gets_its_input_as_a_dict(tmp_path):
    schema = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    seen = []
    remote = from_schema("mcp__docs__search", "Search the docs.", schema,
                         lambda arguments, ctx: seen.append(arguments) or "found", read_only=True, timeout=3)
    assert remote.spec() == {"name": "mcp__docs__search", "description": "Search the docs.", "input_schema": schema}
    result = ToolRegistry().add(remote).call("mcp__docs__search", {"q": "x", "page": 2}, ToolContext(tmp_path))
    assert (result.content, seen) == ("found", [{"q": "x", "page": 2}])
    assert ToolRegistry().add(remote).call("mcp__docs__search", [1], ToolContext(tmp_path)).is_error


def test_any_tool_enters_the_form_unchanged_and_timeouts_default():
    from s02_tool_use.wiring import TOOLS

    for original in TOOLS:
        adopted = adopt(original, timeout=7)
        assert adopted.spec() == original.spec() and adopted.run is original.run and adopted.timeout == 7
        assert (adopted.kind, adopted.read_only, adopted.path_arg, adopted.tip) == (
            original.kind, original.read_only, original.path_arg, original.tip)
    assert timeout_of(TOOLS[0]) == DEFAULT_TIMEOUT and timeout_of(count_lines) == 5 and timeout_of(None) == DEFAULT_TIMEOUT
