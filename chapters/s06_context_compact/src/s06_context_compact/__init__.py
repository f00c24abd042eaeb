"""Chapter 6: context compaction. See README.md for the modules in reading order."""

from .compaction import CompactionConfig, Compactor
from .tokens import ContextMeter, estimate_tokens

__all__ = ["CompactionConfig", "Compactor", "ContextMeter", "estimate_tokens"]
