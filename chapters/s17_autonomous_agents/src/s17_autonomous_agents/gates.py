"""Claude Code's two quality gates for a team, as harness events that s08 turns into hooks.

    TeammateIdle   a teammate's run has ended and it is about to go idle. Input: teammate_name,
                   team_name. Exit 2: it goes back to work, the hook's stderr its next prompt.
    TaskCompleted  an agent is marking a task completed (TaskUpdate status "completed"). Input:
                   task_id, task_subject, task_description, teammate_name, team_name. Exit 2: the
                   task is not completed, and the stderr is the TaskUpdate's error result.

`agent.emit(event, **data)` runs the extensions' `on_event`; s08's `Hooks` runs the user's
commands for the event with the data as JSON, and a block (exit 2) comes back as `Outcome.block`.

TaskCompleted is judged before the TaskUpdate runs (`pre_tool_use`), not after it: a task marked
completed, even for a moment, makes the tasks that wait for it ready, and an idle teammate may
claim one of them before a hook could reopen it. Refused first, the task never leaves in_progress.
"""

from __future__ import annotations

from pydantic import ValidationError
from rich.text import Text

from s02_tool_use.extension import Verdict
from s02_tool_use.tools import ToolCall, ToolError
from s12_task_system.board import TaskBoard
from s12_task_system.tasks import TaskUpdateInput
from s15_agent_teams.member import TeamMember

MAX_SENT_BACK = 3
"""TeammateIdle blocks in a row after which the teammate goes idle anyway: a hook that always says
no must not keep it working forever (Claude Code's Stop hook has `stop_hook_active` for this)."""

SENT_BACK = "A TeammateIdle hook of this project sent you back to work before you go idle:\n{reason}"

NOT_COMPLETED = ("Task #{id} was not marked completed: a TaskCompleted hook of this project refused it:\n"
                 "{reason}\nIt is still {status}. Do what the hook says, then mark it completed again.")


def teammate_idle(agent, member: TeamMember, sent_back: int) -> str | None:
    """Emit TeammateIdle for `member`, whose run just ended; the prompt that sends it back to work,
    or None to let it go idle. `sent_back`: how many times in a row it was sent back already."""
    if sent_back >= MAX_SENT_BACK:
        agent.view.notice(Text(f"⚑ sent back {sent_back} times in a row: idle anyway", style="yellow"))
        return None
    outcome = agent.emit("TeammateIdle", teammate_name=member.name, team_name=member.team.name)
    return SENT_BACK.format(reason=outcome.block) if outcome.block else None


def task_completed(agent, member: TeamMember, board: TaskBoard, call: ToolCall) -> Verdict | None:
    """The verdict on a TaskUpdate that would complete a task: a deny, with the hook's reason as
    the result, when a TaskCompleted hook blocks; otherwise no opinion."""
    if call.name != "TaskUpdate" or not isinstance(call.input, dict) or call.input.get("status") != "completed":
        return None
    try:
        task = board.get(TaskUpdateInput.model_validate(call.input).taskId)
    except (ValidationError, ToolError):
        return None  # the tool itself says what is wrong with it
    if task.status == "completed":
        return None  # nothing is being completed
    team = member.team.name if member.team else None
    outcome = agent.emit("TaskCompleted", task_id=task.id, task_subject=task.subject,
                         task_description=task.description, teammate_name=member.name, team_name=team)
    if not outcome.block:
        return None
    return Verdict("deny", "a TaskCompleted hook",
                   message=NOT_COMPLETED.format(id=task.id, reason=outcome.block,
                                                status=task.status.replace("_", " ")))
