"""What a request costs: Anthropic's published per-token prices, matched by model id prefix.

Where these come from: Anthropic's pricing page (platform.claude.com/docs/en/about-claude/pricing,
"Model pricing" and "Prompt caching") and the model overview pages, as seen in November 2026.
Prices change (Sonnet 5.5's cache reads were cut on 2026-10-07); check the page and edit the table.

The four kinds of tokens in a reply's `usage`, and what each costs per million:
    input_tokens                   the uncached part of the prompt      `input`
    output_tokens                  what the model wrote                 `output`
    cache_creation_input_tokens    prompt written to the cache (5 min)  `cache_write`, usually 1.25x input
    cache_read_input_tokens        prompt read back from the cache      `cache_read`, usually 0.1x input
A model this table does not know (a compatible endpoint: DeepSeek, Kimi, Ollama...) has no price:
its tokens are counted, its cost is unknown (None), never $0.
"""

from __future__ import annotations

from dataclasses import dataclass

MILLION = 1_000_000


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens of each kind."""

    input: float
    output: float
    cache_write: float
    """A 5-minute cache write (the harness's `cache_control` is `ephemeral`, 5 minutes)."""
    cache_read: float
    long_prompt: int | None = None
    """Past this many prompt tokens (input, cache reads and writes together), every token of that
    request costs `long_factor` times as much (Haiku 5.5's second band); None: one band."""
    long_factor: float = 1.0

    def cost(self, usage: dict) -> float:
        """The dollars of one request, from its usage in the Meter's keys (input, output, cache_read, cache_write)."""
        prompt = usage["input"] + usage["cache_read"] + usage["cache_write"]
        factor = self.long_factor if self.long_prompt is not None and prompt > self.long_prompt else 1.0
        return factor * (usage["input"] * self.input + usage["output"] * self.output
                         + usage["cache_write"] * self.cache_write + usage["cache_read"] * self.cache_read) / MILLION


def standard(input: float, output: float, cache_read: float | None = None, **more) -> Price:
    """A price with the usual cache rates: writes 1.25x input, reads 0.1x input unless the page says otherwise."""
    return Price(input, output, input * 1.25, input * 0.1 if cache_read is None else cache_read, **more)


PRICES: dict[str, Price] = {
    # id prefix          input  output        (the longest matching prefix wins)
    "claude-fable-5-1": standard(10, 50, cache_read=0.25),
    "claude-mythos-5-1": standard(10, 50, cache_read=0.25),
    "claude-fable-5": standard(10, 50),
    "claude-mythos-5": standard(10, 50),
    "claude-opus-5-5": standard(4, 20, cache_read=0.20),
    "claude-opus-5": standard(5, 25),
    "claude-opus-4-8": standard(5, 25),
    "claude-opus-4-7": standard(5, 25),
    "claude-opus-4-6": standard(5, 25),
    "claude-opus-4-5": standard(5, 25),
    "claude-opus-4": standard(15, 75),  # Opus 4 and 4.1
    "claude-sonnet-5-5": standard(2, 10, cache_read=0.10),  # cache reads cut from $0.20 on 2026-10-07
    "claude-sonnet-5": standard(2, 10, cache_read=0.20),
    "claude-sonnet-4": standard(3, 15),  # Sonnet 4, 4.5, 4.6
    "claude-3-7-sonnet": standard(3, 15),
    "claude-haiku-5-5": standard(0.10, 0.50, cache_read=0.01, long_prompt=100_000, long_factor=5),
    "claude-haiku-4-5": standard(1, 5),
    "claude-3-5-haiku": standard(0.80, 4),
    "claude-3-haiku": Price(0.25, 1.25, cache_write=0.30, cache_read=0.03),
    "claude-3-opus": standard(15, 75),
}


def price_of(model: str) -> Price | None:
    """The price of `model` (an id like `claude-sonnet-5-5` or `claude-opus-4-1-20250805`), or None
    when no prefix in `PRICES` matches it."""
    found = [prefix for prefix in PRICES if model.startswith(prefix)]
    return PRICES[max(found, key=len)] if found else None


def known_models() -> list[str]:
    """The model ids the table prices (its prefixes), for `/model`."""
    return list(PRICES)
