"""Chapter 17: autonomous agents. See README.md for the modules in reading order.

subtle: the names load on first use, so a process that only claims tasks (a test's claimer) does
not import every chapter before it."""

_WHERE = {"Autonomy": "autonomy", "claim": "claims", "claim_next": "claims"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
