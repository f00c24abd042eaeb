"""Chapter 13: background tasks. See README.md for the modules in reading order."""

from .background import BackgroundJobs
from .jobs import Job, start_job

__all__ = ["BackgroundJobs", "Job", "start_job"]
