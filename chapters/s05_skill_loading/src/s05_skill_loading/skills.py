"""Chapter 5: skills, loaded on demand.

A skill is know-how for one kind of task: how this project runs its tests, how it writes a
changelog entry. Putting every skill into the system prompt would make every request pay for
skills the task never needs. So a skill is disclosed in three steps, each one only when needed:
1. discover: find the SKILL.md files once and keep the result (`catalog.py`); `/skills` rescans;
2. advertise: the system prompt lists each skill's name and description, nothing more;
3. load: the model calls `Skill{name}` and gets the body, the skill's folder and its bundled files,
   which it reads only if the body tells it to.
"""

from __future__ import annotations

import shlex
from functools import partial
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from rich.text import Text

from s01_agent_loop.cli import SlashCommand
from s02_tool_use.extension import Extension, Section
from s02_tool_use.paths import display_path
from s02_tool_use.tools import Tool, ToolContext, ToolError

from .catalog import Catalog, bundled_files, discover
from .skill import Skill

SKILL = "Skill"  # the tool's name, as in Claude Code
SKILL_TOOL_DESCRIPTION = """Load a skill by name. Returns its instructions (the body of its SKILL.md),
where its folder is, and the files bundled with it. The skills are listed in the Skills section of
the system prompt: load one before doing a task it covers, then follow its instructions."""


class SkillInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="The skill's name, exactly as the Skills section lists it.")


class Skills(Extension):
    def __init__(self, home: Path | None = None):
        self.home = home  # user skills are in <home>/.claude/skills; None: the user's home folder
        self.catalog: Catalog | None = None  # the last scan; None until the first request
        self.workdir: Path | None = None  # the work dir that scan was for
        self.unshown: list[str] = []  # warnings and notices the user has not seen yet

    def tools(self) -> list[Tool]:
        return [Tool(SKILL, " ".join(SKILL_TOOL_DESCRIPTION.split()), SkillInput, self.load, kind="internal",
                     read_only=True,
                     tip="When a skill in the Skills section fits the task, load it with Skill before you start.")]

    def commands(self) -> dict[str, SlashCommand]:
        return {"skills": SlashCommand("list the skills and where they come from (rescans)", partial(list_skills, self))}

    def for_subagent(self) -> Skills:
        """Subagents share the skills (s02's `Extension.for_subagent`): the catalog is the same for them."""
        return self

    # 1. discover: once, then from the cache ---------------------------------------------------

    def scan(self, workdir: Path) -> Catalog:
        """Look for skills now, keep the result, and queue what the user should hear about it."""
        self.catalog = discover(Path(workdir), self.home or Path.home())
        self.workdir = Path(workdir)
        self.unshown = self.catalog.notices()
        return self.catalog

    def catalog_for(self, workdir: Path) -> Catalog:
        if self.catalog is None or self.workdir != Path(workdir):
            return self.scan(workdir)
        return self.catalog

    def take_notices(self) -> list[str]:
        notices, self.unshown = self.unshown, []
        return notices

    def before_request(self, agent) -> None:
        self.catalog_for(agent.workdir)
        for notice in self.take_notices():
            agent.view.notice(Text(f"skills: {notice}", style="yellow"))

    # 2. advertise: names and descriptions only ------------------------------------------------

    def system_prompt(self, agent) -> Section | None:
        # subtle: a subagent may be given a tool list without Skill; a catalog would only mislead it
        if SKILL not in agent.tools.tools:
            return None
        text = self.catalog_for(agent.workdir).prompt_section()
        return Section("skills", text) if text else None

    # 3. load: the body, on demand ---------------------------------------------------------------

    def load(self, args: SkillInput, ctx: ToolContext) -> str:
        """The `Skill` tool."""
        catalog = self.catalog_for(ctx.workdir)
        skill = catalog.skills.get(args.name)
        if skill is None:
            known = ", ".join(catalog.skills) or "(none: no .claude/skills/*/SKILL.md was found)"
            raise ToolError(f"Unknown skill {args.name!r}. Known skills: {known}.")
        return loaded_skill(skill, Path(ctx.workdir))


# ---------------------------------------------------------------------------------------------


def loaded_skill(skill: Skill, workdir: Path) -> str:
    """What the `Skill` tool returns: where the skill lives, its bundled files, then its body."""
    folder = display_path(workdir, skill.folder)
    lines = [f"Loaded the {skill.source} skill {skill.name!r}. Its folder: {folder}"]
    if skill.meta.allowed_tools:
        lines.append(f"It expects to use these tools: {', '.join(skill.meta.allowed_tools)} (listed, not "
                     "granted: each call still needs what the permission rules allow).")
    files, more = bundled_files(skill)
    if files:
        # subtle: read_file is confined to the work dir, and user skills live in ~/.claude;
        # rather than open a hole in that fence, we point the model at bash for those files
        inside = skill.folder.is_relative_to(workdir.resolve())
        how = ("read them with read_file" if inside else "they are outside the work dir, where read_file "
               f"cannot go: read them with bash, e.g. cat {shlex.quote(str(files[0]))}")
        lines.append(f"Files bundled with it ({how}):")
        lines += [f"- {display_path(workdir, file)}" for file in files]
        if more:
            lines.append(f"- ... and {more} more (list them with glob or bash)")
    return "\n".join([*lines, "", skill.body])


def list_skills(skills: Skills, agent, argument: str, console) -> None:
    """`/skills`: scan again (new or edited skills show up), then list them with their source."""
    catalog = skills.scan(agent.workdir)
    found = len(catalog.skills)
    console.print(f"[bold]{found} skill{'s' * (found != 1)}[/] [dim](rescanned .claude/skills and ~/.claude/skills)[/]")
    for skill in catalog.skills.values():
        where = f"{skill.source}: {display_path(agent.workdir, skill.folder)}"
        console.print(Text.assemble(("  " + skill.name, "bold"), "  ", (where, "cyan")))
        console.print(Text("    " + " ".join(skill.description.split()), style="dim"), no_wrap=True, overflow="ellipsis")
    for notice in skills.take_notices():
        console.print(Text(notice, style="yellow"))
