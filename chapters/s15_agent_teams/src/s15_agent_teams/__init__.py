"""Chapter 15: agent teams. See README.md for the modules in reading order.

subtle: the names load on first use, so a process that only needs the mailbox (a test's sender)
does not import every chapter before it."""

_WHERE = {"Letter": "mailbox", "Mailbox": "mailbox", "Team": "team", "TeamLead": "lead", "TeamMember": "member",
          "Teammate": "teammate"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
