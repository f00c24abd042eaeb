"""Chapter 11: how long to wait before a retry, and a wait the user can watch.

Exponential backoff with full jitter: the n-th retry waits a random time between 0 and
`min(cap, base * 2**(n-1))`. The doubling gives an overloaded server room to recover; the
randomness keeps a thousand clients that failed together from all coming back at the same instant.
A `retry-after` from the server wins over both: it knows when it will have room.

    delay_before(1, base=1, cap=32, rng=lambda: 1.0)   # 1.0
    delay_before(4, base=1, cap=32, rng=lambda: 0.5)   # 4.0 (half of 8)
    delay_before(9, base=1, cap=32, rng=lambda: 1.0)   # 32.0 (capped)

The wait is visible: on a terminal a spinner counts down in place ("529 overloaded · retry 2/8 in
3 s"); into a pipe, a file or under `-q` one plain line. Either way a line stays in the scrollback.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from rich.text import Text


def delay_before(retry: int, *, base: float, cap: float, rng: Callable[[], float]) -> float:
    """Seconds to wait before retry number `retry` (1, 2, ...): full jitter under a doubling cap."""
    ceiling = min(cap, base * 2 ** (retry - 1))
    return rng() * ceiling


def seconds(value: float) -> str:
    """`3 s`, `0.5 s`, `0.01 s`, `12 s`: a duration as people read it."""
    return f"{round(value, 1 if value >= 1 else 2):g} s"


def countdown(view, text: str, wait: float, sleep: Callable[[float], None]) -> None:
    """Wait `wait` seconds (through `sleep`, so tests never really wait), showing `text` and the time
    left, e.g. text "529 overloaded · retry 2/8" shows "529 overloaded · retry 2/8 in 3 s"."""
    console = getattr(view, "console", None)
    in_place = console is not None and console.is_terminal and not getattr(view, "quiet", False)
    if not in_place or wait <= 0:
        view.notice(notice(f"{text} in {seconds(wait)}" if wait > 0 else f"{text} now"))
        if wait > 0:
            sleep(wait)
        return
    left = wait
    with console.status(notice(f"{text} in {math.ceil(left)} s"), spinner="dots") as status:
        while left > 0:
            # subtle: sleep off the fraction first, so the display then ticks on whole seconds (3, 2, 1)
            step = left - (math.ceil(left) - 1)
            status.update(notice(f"{text} in {math.ceil(left)} s"))
            sleep(step)
            left -= step
    view.notice(notice(f"{text} after {seconds(wait)}"))


def notice(line: str, style: str = "yellow") -> Text:
    return Text(f"⟳ {line}", style=style)
