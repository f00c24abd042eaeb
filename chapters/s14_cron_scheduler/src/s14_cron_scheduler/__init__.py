"""Chapter 14: prompts that fire later. See README.md for the modules in reading order."""

from .clock import Clock
from .schedule import CronJob
from .scheduler import Scheduler
from .store import CronStore

__all__ = ["Clock", "CronJob", "CronStore", "Scheduler"]
