"""Chapter 16: team protocols. See README.md for the modules in reading order."""

from .protocols import TeamProtocols
from .requests import Request, Requests

__all__ = ["Request", "Requests", "TeamProtocols"]
