"""Chapter 7: permission system. See README.md for the modules in reading order."""

from .permissions import Permissions

__all__ = ["Permissions"]
