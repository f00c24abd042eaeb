"""Teammates in lanes: s15's SpawnTeammate with `isolation: "worktree"`, as subagents have it.

    lead: SpawnTeammate{name: alice, ..., isolation: worktree, task_id: "1"}
      1. a lane alice-1 for task #1, its record saying whose it is (`Lane.teammate`: "<team>/alice")
      2. s16's SpawnTeammate: alice starts, a thread or a process, built by this chapter's `build`
    alice's build: finds the open lane recorded for her, and works there (`agent.workdir`)

Only the work dir moves. The team's folder, the mailboxes, the board and the lanes' records stay
in the main checkout (each was built from the session's work dir), so alice still reads her mail
and claims tasks with the others; but her files, her commands, s07's rules and s08's hooks (which
read the agent's work dir when it acts) are the lane's. She commits there; the lead merges her
branch with WorktreeCloseout when she reports, as it merges a subagent's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import Field

from s02_tool_use.extension import Extension, Section
from s02_tool_use.paths import display_path
from s02_tool_use.tools import Tool, ToolContext, ToolError
from s12_task_system.board import TaskBoard
from s15_agent_teams.lead import TeamLead
from s15_agent_teams.team import check_name
from s16_team_protocols.plans import SpawnInput as PlanSpawnInput

from .isolation import hooks_may
from .lanes import Lane, Lanes

WHERE = """You work in the lane {name}: a git worktree of this repository, of your own, on the
branch {branch}, made from commit {base}. It is your work dir ({path}); nothing you change here
touches the main checkout until the lead merges your branch. The team's board and mail are shared
as usual. The lead merges commits, not loose changes: commit your work in the lane (git add -A &&
git commit -m "what you did") before you report, and say in your report what you committed."""


class SpawnInput(PlanSpawnInput):
    isolation: Literal["worktree"] | None = Field(None, description="\"worktree\": it works in a lane of its "
                                                  "own (a git worktree on its own branch) that you merge when it "
                                                  "reports; leave it out to share the main checkout.")
    task_id: str | None = Field(None, description="With isolation: the id of the board task the lane is for.")


class TeammateLanes(Extension):
    """The lead's side: SpawnTeammate (s16's, passed in) with `isolation` and `task_id`."""

    def __init__(self, spawn: Tool):
        self.spawn = spawn

    def tools(self) -> list[Tool]:
        return [replace(self.spawn, input_model=SpawnInput, run=self.spawn_in_lane,
                        description=self.spawn.description + " With isolation: \"worktree\", it works in a lane "
                        "of its own; merge its commits with WorktreeCloseout when it reports.")]

    def spawn_in_lane(self, args: SpawnInput, ctx: ToolContext) -> str:
        if args.isolation is None:
            return self.spawn.run(args, ctx)
        # 1. refuse what s15 would refuse before a lane is made for nothing
        team = TeamLead.of(ctx.agent).team
        if team is None:
            raise ToolError("There is no team yet: create one with TeamCreate first.")
        name = check_name(args.name, "The teammate name")
        task = TaskBoard(ctx.workdir).get(args.task_id) if args.task_id else None  # s12's error lists the tasks
        # 2. the lane, recorded as this teammate's, so that its build finds it
        lanes = Lanes(ctx.workdir)
        lane = lanes.create(lanes.fresh_name(name), task_id=task.id if task else None, owner=f"teammate {name}",
                            teammate=f"{team.name}/{name}", before=hooks_may(ctx.agent, "WorktreeCreate", lanes))
        # 3. s16's SpawnTeammate: the teammate starts (a refusal there takes the empty lane away)
        try:
            said = self.spawn.run(args, ctx)
        except ToolError:
            lanes.remove(lane, before=hooks_may(ctx.agent, "WorktreeRemove", lanes))
            raise
        return (f"{said} It works in the lane {lane.name} ({display_path(ctx.workdir, lanes.path(lane))}, branch "
                f"{lane.branch}); merge its commits with WorktreeCloseout when it reports.")


class InLane(Extension):
    """The teammate's side: the system prompt says where it works and how its work gets back."""

    def __init__(self, lanes: Lanes, lane: Lane):
        self.text = WHERE.format(name=lane.name, branch=lane.branch, base=lanes.repo.short(lane.base),
                                 path=lanes.workdir(lane))

    def system_prompt(self, agent) -> Section:
        return Section("lane", self.text)


def teammate_lane(workdir: Path, team: str | None, name: str | None) -> tuple[Lanes, Lane] | None:
    """The open lane the lead made for teammate `name` of `team`, the newest if several; None for
    the lead, for a teammate spawned without isolation, and outside a repository."""
    if not (team and name and Lanes.made_in(workdir)):
        return None
    try:
        lanes = Lanes(workdir)
    except ToolError:
        return None
    mine = [lane for lane in lanes.all().values() if lane.open and lane.teammate == f"{team}/{name}"]
    return (lanes, mine[-1]) if mine else None
