"""Finding skills, and the cheap catalog the model sees.

Skills live where Claude Code looks for them:
    <workdir>/.claude/skills/<name>/SKILL.md     project skills (shared through the repository)
    ~/.claude/skills/<name>/SKILL.md             user skills (yours, in every project)
On a name clash the user's skill wins, as in Claude Code (personal over project), and the
catalog says which one it shadowed. A broken
SKILL.md is skipped with a warning naming its file; the others still load.

The catalog costs a line per skill in the system prompt; a skill's body costs nothing until the
model asks for it (`skills.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from s02_tool_use.paths import display_path, walk_files

from .skill import FrontmatterError, Skill, Source, parse_skill

SKILLS_DIR = Path(".claude", "skills")
"""Under the work dir for project skills, under the home folder for user skills."""
MAX_BUNDLED_FILES = 30
"""The most bundled files a loaded skill lists; 0 means no limit."""
MAX_BUNDLED_DEPTH = 3
"""How deep bundled files are listed: 1 is the skill's own folder, 3 is two folders below it."""

CATALOG_INTRO = (
    "# Skills\n"
    "Skills are instructions for particular tasks, kept out of this prompt until needed: before a task "
    "that a skill below covers, call the Skill tool with the skill's name to load its instructions."
)


@dataclass
class Catalog:
    skills: dict[str, Skill] = field(default_factory=dict)
    """name -> skill, sorted by name (a stable prompt is a cacheable prompt)."""
    warnings: list[str] = field(default_factory=list)
    """One line per SKILL.md that was skipped, naming the file and the problem."""
    shadowed: list[str] = field(default_factory=list)
    """One line per project skill hidden by a user skill of the same name."""

    def prompt_section(self) -> str | None:
        """The system prompt section: names and descriptions only, never the bodies."""
        if not self.skills:
            return None
        lines = [f"- {s.name}: {' '.join(s.description.split())}" for s in self.skills.values()]
        return CATALOG_INTRO + "\n" + "\n".join(lines)

    def notices(self) -> list[str]:
        """What the user should hear about this scan."""
        return [f"skipped {warning}" for warning in self.warnings] + self.shadowed


# ---------------------------------------------------------------------------------------------


def discover(workdir: Path, home: Path) -> Catalog:
    """Every valid skill of the project and of the user; see the module docstring for the rules."""
    catalog = Catalog()
    project_dir = (workdir / SKILLS_DIR).resolve()
    user_dir = (home / SKILLS_DIR).resolve()
    found: dict[str, Skill] = {}
    # 1. project skills first, so that a user skill of the same name replaces them (Claude Code's order)
    # subtle: when the work dir is the home folder, both are one folder; read it once, as project
    roots: list[tuple[Path, Source]] = [(user_dir, "user")] if user_dir != project_dir else []
    for root, source in [(project_dir, "project"), *roots]:
        for skill in scan(root, source, workdir, catalog.warnings):
            hidden = found.get(skill.name)
            if hidden is not None:
                catalog.shadowed.append(
                    f"user skill {skill.name!r} ({display_path(workdir, skill.file)}) shadows the project "
                    f"skill of the same name ({display_path(workdir, hidden.file)})")
            found[skill.name] = skill
    catalog.skills = dict(sorted(found.items()))
    return catalog


def scan(root: Path, source: Source, workdir: Path, warnings: list[str]) -> list[Skill]:
    """The skills in one `skills` folder; a broken one adds a line to `warnings` instead."""
    skills = []
    for file in sorted(root.glob("*/SKILL.md")) if root.is_dir() else []:
        try:
            skills.append(parse_skill(file, source))
        except FrontmatterError as e:
            warnings.append(f"{display_path(workdir, file.resolve())}: {e}")
    return skills


def bundled_files(skill: Skill) -> tuple[list[Path], int]:
    """The files that come with a skill (not SKILL.md itself, nothing hidden, a few levels deep,
    at most `MAX_BUNDLED_FILES`), and how many more were left out."""
    files = []
    for path in walk_files(skill.folder):  # skips symlinks, __pycache__, .git...
        parts = path.relative_to(skill.folder).parts
        if len(parts) <= MAX_BUNDLED_DEPTH and path != skill.file and not any(p.startswith(".") for p in parts):
            files.append(path)
    files.sort()
    if MAX_BUNDLED_FILES and len(files) > MAX_BUNDLED_FILES:
        return files[:MAX_BUNDLED_FILES], len(files) - MAX_BUNDLED_FILES
    return files, 0
