"""Chapter 18's agent in one screen: chapter 17's agent plus `Worktrees` (a lane, a git worktree on
its own branch, per task: WorktreeCreate, WorktreeList, WorktreeRun, WorktreeCloseout, `/worktrees`),
`isolation: worktree` for s04's subagents (each such Task in a fresh lane) and for teammates
(SpawnTeammate{..., isolation: "worktree"}: the teammate, built here too, works in its lane). The
demo lays the project's rules for git and merges, its hooks and a second bug over the sample project."""

from __future__ import annotations

from pathlib import Path

from s01_agent_loop.cli import Session
from s04_subagent.subagents import Subagents
from s07_permission_system.permissions import Permissions
from s15_agent_teams.lead import TeamLead
from s17_autonomous_agents.wiring import CHAPTER as PREVIOUS
from s17_autonomous_agents.wiring import build as build_previous

from .isolation import LaneIsolation
from .team_lanes import InLane, TeammateLanes, teammate_lane
from .worktrees import Worktrees


def build(session: Session):
    agent = build_previous(session)
    if found := teammate_lane(session.workdir, getattr(session.args, "team", None),
                              getattr(session.args, "teammate", None)):
        lanes, lane = found  # a teammate spawned into a lane works there; its lead keeps the lanes
        Permissions.of(agent).load(agent)  # subtle: the project's rules, read in the main checkout, as
        agent.workdir = lanes.workdir(lane)  # its hooks were; a lane holds only the files committed
        agent.use(InLane(lanes, lane))
    else:
        agent.use(Worktrees(session.workdir))
    Subagents.of(agent).isolations["worktree"] = LaneIsolation()  # agent files' `isolation: worktree`
    if TeamLead.of(agent) is not None:
        agent.use(TeammateLanes(agent.tools.tools["SpawnTeammate"]))  # s16's, with isolation added
    return agent


CHAPTER = PREVIOUS.extend(name="s18_worktree_task_isolation", title="worktree task isolation", build=build,
                          here=__file__, overlays=(Path(__file__).with_name("demo_overlay"),),
                          demo_args={"idle_timeout": 0})  # the teammates wait for the lead, not a clock
