"""One skill: a folder with a `SKILL.md` in the Agent Skills format (what Claude Code reads).

    .claude/skills/changelog/
        SKILL.md            ---                          <- YAML frontmatter, parsed with PyYAML
                            name: changelog
                            description: Record a change in CHANGELOG.md ...
                            allowed-tools: Read, Edit
                            ---
                            # Writing a changelog entry  <- the body: loaded only when asked for
        template.md         a bundled file the body refers to

`parse_skill` turns such a file into a `Skill`, or raises a `FrontmatterError` saying what is
wrong with it, so that the catalog can skip a broken skill with a warning and keep the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from s02_tool_use.frontmatter import FrontmatterError, read_frontmatter
from s02_tool_use.tools import describe_validation_error

NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

Source = Literal["project", "user"]


class SkillError(FrontmatterError):
    """A SKILL.md whose frontmatter is not a valid skill."""


class SkillMeta(BaseModel):
    """The frontmatter. Fields this chapter does not use (`license`, `metadata`, ...) are kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    name: str
    """Lowercase letters, digits and single hyphens, at most 64 characters; the folder's name."""
    description: str
    """What the skill does and when to use it, at most 1024 characters: the model reads only
    this (and the name) until it loads the skill."""
    allowed_tools: list[str] = Field(default_factory=list, alias="allowed-tools")
    """Tools the skill expects to use, e.g. `Read, Bash(python -m unittest:*)`. Listed, not
    enforced: permissions are chapter 7's job."""

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if len(name) > 64 or not NAME.fullmatch(name):
            raise PydanticCustomError(
                "skill_name", "'{name}' is not a valid skill name: use lowercase letters, digits and "
                "single hyphens (not first or last), at most 64 characters", {"name": name})
        return name

    @field_validator("description")
    @classmethod
    def _description(cls, description: str) -> str:
        if not description.strip() or len(description) > 1024:
            raise PydanticCustomError(
                "skill_description", "must be non-empty text of at most 1024 characters (it has {n})",
                {"n": len(description)})
        return description

    @field_validator("allowed_tools", mode="before")
    @classmethod
    def _tools(cls, value: Any) -> Any:
        """Claude Code writes `Read, Grep`; the open spec writes `Read Grep`; a YAML list works too.
        subtle: `Bash(git status:*)` has a space inside its parentheses, so we cannot just split."""
        if isinstance(value, str):
            return re.findall(r"[^\s,(]+(?:\([^)]*\))?", value)
        return value


@dataclass(frozen=True)
class Skill:
    meta: SkillMeta
    body: str
    """SKILL.md without its frontmatter: what the `Skill` tool returns."""
    file: Path
    """The SKILL.md itself (absolute)."""
    source: Source
    """`project` (the work dir's .claude/skills) or `user` (~/.claude/skills)."""

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def description(self) -> str:
        return self.meta.description

    @property
    def folder(self) -> Path:
        return self.file.parent

    @property
    def extra(self) -> dict[str, Any]:
        """Frontmatter fields beyond name, description and allowed-tools (`license`, `metadata`...)."""
        return dict(self.meta.model_extra or {})


# ---------------------------------------------------------------------------------------------


def parse_skill(file: Path, source: Source) -> Skill:
    """Read and check one SKILL.md; a `FrontmatterError` (or `SkillError`) says what is wrong.

    parse_skill(Path(".claude/skills/My Skill/SKILL.md"), "project")   # name: My Skill
    -> SkillError("name: 'My Skill' is not a valid skill name: use lowercase letters, ...")
    """
    # 1. the frontmatter as a dict, parsed by PyYAML (chapter 4 reads agent files the same way)
    fields, body = read_frontmatter(file)
    # 2. check the fields: name and description are required, and constrained
    try:
        meta = SkillMeta.model_validate(fields)
    except ValidationError as e:
        raise SkillError(describe_validation_error(e)) from None
    if meta.name != file.parent.name:
        raise SkillError(f"name {meta.name!r} does not match its folder {file.parent.name!r}")
    return Skill(meta, body, file.resolve(), source)
