"""s02's six tools declared once more, in s20's form: the signature is the input schema.

Nothing about them changes: the same names, descriptions (each borrows its s02 function's
docstring, `same_doc`), schemas and facts, and each body hands its arguments to s02's function.
tests/test_native.py proves the schemas sent and the results returned are identical. What moved
is where the schema lives: in s02 a pydantic class beside the function, here the parameters.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from s01_agent_loop.shell import BASH_TOOL, DEFAULT_TIMEOUT, MAX_TIMEOUT
from s02_tool_use import bash as s02_bash
from s02_tool_use import files, search
from s02_tool_use.tools import ToolContext
from s02_tool_use.wiring import TOOLS

from .declare import tool

READ_TIMEOUT = 60.0
"""Seconds for a read: glob and grep stop themselves after 30 s; a read_file of a named pipe with
no writer would wait forever, and is abandoned after this."""


def same_doc(original):
    """Give the decorated function `original`'s docstring (or the text `original`): the description
    stays where s01 or s02 wrote it."""

    def copy(fn):
        fn.__doc__ = original if isinstance(original, str) else original.__doc__
        return fn

    return copy


@tool(kind="shell", tip=s02_bash.BASH.tip)
@same_doc(BASH_TOOL["description"])
def bash(command: Annotated[str, Field(min_length=1, description="The command to run, e.g. `ls -la src`.")],
         ctx: ToolContext,
         timeout: Annotated[float | None, Field(gt=0, le=MAX_TIMEOUT, description=f"Seconds before it is killed "
                                                                                   f"(default {DEFAULT_TIMEOUT:g}).")] = None,
         **extra: Any):
    return s02_bash.bash(s02_bash.BashInput.model_construct(command=command, timeout=timeout), ctx)


@tool(kind="read", read_only=True, path_arg="path", tip=files.FILE_TOOLS[0].tip, timeout=READ_TIMEOUT)
@same_doc(files.read_file)
def read_file(path: Annotated[str, Field(description="The file to read, relative to the work dir.")],
              offset: Annotated[int, Field(ge=1, description="The 1-based number of the first line to read.")] = 1,
              limit: Annotated[int, Field(ge=1, description="How many lines to read.")] = files.MAX_LINES, *,
              ctx: ToolContext):
    return files.read_file(files.ReadFileInput.model_construct(path=path, offset=offset, limit=limit), ctx)


@tool(kind="edit", path_arg="path")
@same_doc(files.write_file)
def write_file(path: Annotated[str, Field(description="The file to write, relative to the work dir.")],
               content: Annotated[str, Field(description="The complete new content of the file.")], *,
               ctx: ToolContext):
    return files.write_file(files.WriteFileInput.model_construct(path=path, content=content), ctx)


@tool(kind="edit", path_arg="path", tip=files.FILE_TOOLS[2].tip)
@same_doc(files.edit_file)
def edit_file(path: Annotated[str, Field(description="The file to edit, relative to the work dir.")],
              old_string: Annotated[str, Field(description="The exact text to replace, as it is in the file.")],
              new_string: Annotated[str, Field(description="The text to put in its place.")],
              replace_all: Annotated[bool, Field(description="Replace every occurrence, not just a unique one.")] = False,
              *, ctx: ToolContext):
    arguments = files.EditFileInput.model_construct(path=path, old_string=old_string, new_string=new_string,
                                                    replace_all=replace_all)
    return files.edit_file(arguments, ctx)


@tool(kind="read", read_only=True, path_arg="path", tip=search.SEARCH_TOOLS[0].tip, timeout=READ_TIMEOUT)
@same_doc(search.glob)
def glob(pattern: Annotated[str, Field(description="A glob relative to `path`, e.g. `**/*.py` or `src/*.md`.")],
         path: Annotated[str | None, Field(description="The folder to search (default: the work dir).")] = None,
         *, ctx: ToolContext):
    return search.glob(search.GlobInput.model_construct(pattern=pattern, path=path), ctx)


@tool(kind="read", read_only=True, path_arg="path", timeout=READ_TIMEOUT)
@same_doc(search.grep)
def grep(pattern: Annotated[str, Field(description="Regular expression searched for in each line, e.g. `def \\w+\\(`.")],
         path: Annotated[str | None, Field(description="The file or folder to search (default: the whole work dir).")] = None,
         glob: Annotated[str | None, Field(description="Only files whose name matches, e.g. `*.py`, `*.{ts,tsx}`.")] = None,
         *, ctx: ToolContext):
    return search.grep(search.GrepInput.model_construct(pattern=pattern, path=path, glob=glob), ctx)


NATIVE_TOOLS = [bash, read_file, write_file, edit_file, glob, grep]
"""s02's `TOOLS`, in the same order, in the new form."""


def redeclare(registry) -> list[str]:
    """Put each twin in the place of its s02 original, where the registry still holds that original
    (s13 made `bash` its own: that one stays); the names replaced, in order."""
    originals = {tool.name: tool for tool in TOOLS}
    replaced = [twin.name for twin in NATIVE_TOOLS if registry.tools.get(twin.name) is originals[twin.name]]
    registry.add(*(twin for twin in NATIVE_TOOLS if twin.name in replaced))
    return replaced
