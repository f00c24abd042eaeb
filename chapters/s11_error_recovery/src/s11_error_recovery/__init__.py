"""Chapter 11: error recovery. See README.md for the modules in reading order."""

from .continuation import Continuation
from .failures import Action, Failure, classify
from .recovery import Recovery, RecoveryConfig, RecoveryFailed

__all__ = ["Action", "Continuation", "Failure", "Recovery", "RecoveryConfig", "RecoveryFailed", "classify"]
