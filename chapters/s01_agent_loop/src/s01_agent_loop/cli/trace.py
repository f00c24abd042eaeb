"""`--trace`: every request exactly as sent and every reply as received, one JSON line each.

The most useful thing a course on agents can show is what the model actually receives. The trace
wraps the raw model (below every extension, so it sees each request after the harness shaped it,
each retry, each summary call) and appends to `.harness/traces/<session>.jsonl` as it goes: a
crash loses nothing written before it. `uv run trace-view FILE` turns a trace into a page.

    {"kind": "request", "n": 1, "at": "2026-11-25T17:02:11", "request": {...the keyword arguments...}}
    {"kind": "reply", "n": 1, "seconds": 1.84, "message": {...the Message, streamed events folded...}}
    {"kind": "error", "n": 2, "seconds": 0.02, "error": "OverloadedError: ..."}
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path


def trace_path(folder: Path) -> Path:
    """A new trace file under `<folder>/.harness/traces/`, named for the time it starts."""
    name = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2) + ".jsonl"
    path = Path(folder) / ".harness" / "traces" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    ignore = path.parent.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return path


class TracingModel:
    """A model that writes each request and each reply (or failure) to a JSONL file as it happens."""

    def __init__(self, model, path: Path):
        self.model = model
        self.path = Path(path)
        self.n = 0

    def query(self, request: dict, on_text=None, **callbacks):
        self.n += 1
        n = self.n
        self.write({"kind": "request", "n": n, "at": time.strftime("%Y-%m-%dT%H:%M:%S"), "request": request})
        start = time.perf_counter()
        try:
            reply = self.model.query(request, on_text=on_text, **callbacks)
        except BaseException as error:
            self.write({"kind": "error", "n": n, "seconds": round(time.perf_counter() - start, 3),
                        "error": f"{type(error).__name__}: {error}"})
            raise
        self.write({"kind": "reply", "n": n, "seconds": round(time.perf_counter() - start, 3),
                    "message": reply.to_dict()})
        return reply

    def write(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=False, default=str)
        with open(self.path, "a", encoding="utf-8", errors="replace") as file:
            file.write(line + "\n")  # subtle: one write per line, flushed at close: a crash keeps the rest


def read_trace(path: Path) -> list[dict]:
    """The records of a trace; a line cut by a crash at the very end is left out."""
    records = []
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records
