"""Chapter 5: skills loaded on demand. See README.md for the modules in reading order."""

from .catalog import Catalog, discover
from .skill import Skill, SkillError, parse_skill
from .skills import Skills

__all__ = ["Catalog", "Skill", "SkillError", "Skills", "discover", "parse_skill"]
