"""STUB: to be written."""

from s02_tool_use.harness import Extension


class Compactor(Extension):
    pass
