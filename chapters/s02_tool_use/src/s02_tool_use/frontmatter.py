"""Markdown files with a YAML frontmatter, the format of Claude Code's agent files (s04), skills
(s05) and memories (s09), so s02 owns the reader:

    ---
    name: reviewer
    description: Reviews a change.
    ---
    The body.

Only the `---` fences are found by hand; what is between them is parsed by PyYAML, so quoting,
folded `>` text and lists all just work.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

FRONTMATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)


class FrontmatterError(ValueError):
    """A file whose frontmatter cannot be read; the message says why (the caller adds the file)."""


def read_frontmatter(file: Path) -> tuple[dict[str, Any], str]:
    """A Markdown file's frontmatter as a dict, and the text after it."""
    import yaml  # subtle: here, on first use, not at start-up

    try:
        text = file.read_text(encoding="utf-8", errors="replace").removeprefix("\ufeff")
    except OSError as e:
        raise FrontmatterError(f"cannot read it: {e.strerror or e}") from None
    match = FRONTMATTER.match(text)
    if match is None:
        raise FrontmatterError("no YAML frontmatter: the file must start with a '---' line, then `name:` "
                               "and `description:`, then another '---' line")
    try:
        fields = yaml.safe_load(match.group(1))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 2} of the file)" if mark is not None else ""
        raise FrontmatterError(f"the frontmatter is not valid YAML{where}: {getattr(e, 'problem', None) or e}") from None
    if not isinstance(fields, dict | None):
        raise FrontmatterError(f"the frontmatter must be a mapping of fields, not a {type(fields).__name__}")
    return fields or {}, text[match.end():].strip("\n")
