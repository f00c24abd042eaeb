"""Chapter 7: permission system. See README.md for the modules in reading order."""

from .permissions import MODES, Permissions

__all__ = ["MODES", "Permissions"]
