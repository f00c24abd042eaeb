"""Chapter 12: the task system. See README.md for the modules in reading order."""

from .board import TaskBoard
from .task_system import TaskSystem
from .tasks import Task

__all__ = ["Task", "TaskBoard", "TaskSystem"]
