"""`uv run trace-view TRACE.jsonl [-o PAGE.html]`: a trace (see trace.py) as one self-contained page.

A timeline of the requests; for each, what the model received: the system blocks, the tools and
the messages, with what changed since the previous request marked (appended by the loop, or
rewritten: a compaction, a clearing, a reminder), the `cache_control` breakpoints, and the tokens
in, read from the cache and written to it. Large contents fold. No network, no build step: the
page is plain HTML and CSS.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path

from ..agent import message_blocks
from ..scripted.usage import unmarked
from .trace import read_trace

FOLD_CHARS = 600
STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;display:flex}nav{width:15rem;position:sticky;top:0;height:100vh;
overflow:auto;border-right:1px solid #ddd;padding:.5rem;box-sizing:border-box;font-size:13px}main{flex:1;padding:1rem 2rem;
min-width:0}nav a{display:block;color:#333;text-decoration:none;padding:2px 4px}nav a:hover{background:#eef}
section{border:1px solid #ccc;border-radius:6px;margin:0 0 1.5rem;padding:.5rem 1rem}h2{font-size:16px;margin:.3rem 0}
.stats{color:#555}.block{border-left:4px solid #ccc;margin:.4rem 0;padding:.2rem .6rem;background:#fafafa}
.appended{border-color:#2a9d4b;background:#f0fbf3}.rewritten{border-color:#d97706;background:#fff7ed}
.bp{color:#7c3aed;font-weight:bold}pre{white-space:pre-wrap;word-break:break-word;margin:.2rem 0;font-size:12.5px}
.tag{font-size:11px;text-transform:uppercase;color:#666;letter-spacing:.05em}.error{color:#b91c1c}
"""


def render(records: list[dict], title: str) -> str:
    """The page for a trace's records."""
    requests = {r["n"]: r for r in records if r.get("kind") == "request"}
    answers = {r["n"]: r for r in records if r.get("kind") in ("reply", "error")}
    nav, sections, last_of = [], [], {}  # conversation -> its latest request
    for n, record in sorted(requests.items()):
        request = record.get("request") or {}
        answer = answers.get(n)
        usage = ((answer or {}).get("message") or {}).get("usage") or {}
        stats = usage_line(usage)
        nav.append(f'<a href="#r{n}">#{n} · {len(request.get("messages") or [])} messages{esc(short(stats))}</a>')
        # subtle: a request is compared with the last one of the same conversation: the same system
        # prompt and tools (a subagent's, s04, differ; a summary request, s06, has no tools)
        conversation = json.dumps([unmarked(request.get("system")), [t.get("name") for t in
                                                                           request.get("tools") or []]])
        previous = last_of.get(conversation) if request.get("tools") else None
        sections.append(section(n, record, request, previous, answer, stats))
        if request.get("tools"):
            last_of[conversation] = {**request, "n": n}
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title><style>{STYLE}</style>"
            f"</head><body><nav><b>{esc(title)}</b><br>{len(requests)} request{'s' * (len(requests) != 1)}{''.join(nav)}</nav>"
            f"<main>{''.join(sections) or '<p>No requests in this trace.</p>'}</main></body></html>")


def section(n: int, record: dict, request: dict, previous: dict | None, answer: dict | None, stats: str) -> str:
    parts = [f'<section id="r{n}"><h2>Request #{n} · {esc(request.get("model", ""))} · {esc(record.get("at", ""))}'
             f'</h2><div class="stats">{esc(stats)}</div>']
    # 1. the system prompt, block by block, with its breakpoints
    system = request.get("system") or []
    system = [{"type": "text", "text": system}] if isinstance(system, str) else system
    parts.append('<p class="tag">system</p>')
    blocks = "".join(block_html(block, "", f"system[{i}]") for i, block in enumerate(system))
    if previous is not None and unmarked(previous.get("system")) == unmarked(request.get("system")):
        marks = sum(bool(b.get("cache_control")) for b in system)
        parts.append(f'<details><summary>{len(system)} blocks as in request #{previous["n"]}'
                     f'{f" · {marks} ◆" if marks else ""}</summary>{blocks}</details>')
    else:
        parts.append(blocks)
    # 2. the tools, by name (their schemas folded)
    tools = request.get("tools") or []
    names = ", ".join(esc(t.get("name", "?")) + (' <span class="bp">◆</span>' if t.get("cache_control") else "")
                      for t in tools)
    parts.append(f'<p class="tag">tools ({len(tools)})</p><details><summary>{names}</summary>'
                 f'<pre>{esc(json.dumps(tools, indent=1, ensure_ascii=False))}</pre></details>')
    # 3. the messages, each marked by what happened to it since the previous request
    messages = request.get("messages") or []
    kept = common_prefix(previous.get("messages") or [], messages) if previous else 0
    rewritten = previous is not None and kept < len(previous.get("messages") or [])
    parts.append('<p class="tag">messages</p>')
    if previous is not None and kept:
        parts.append(f'<p class="stats">{kept} message{"s" * (kept != 1)} as in request #{previous["n"]}</p>')
        parts.append("<details><summary>show them</summary>"
                     + "".join(message_html(m, "", i) for i, m in enumerate(messages[:kept])) + "</details>")
    mark = "rewritten" if rewritten else "appended" if previous is not None else ""
    for i, message in enumerate(messages[kept:], kept):
        parts.append(message_html(message, mark, i))
    # 4. the reply
    if answer and answer.get("kind") == "error":
        parts.append(f'<p class="tag">failed after {answer.get("seconds")} s</p><pre class="error">'
                     f'{esc(answer.get("error", ""))}</pre>')
    elif answer:
        reply = answer.get("message") or {}
        parts.append(f'<p class="tag">reply · {esc(str(reply.get("stop_reason")))} · {answer.get("seconds")} s</p>')
        parts += [block_html(b, "", "reply") for b in reply.get("content") or []]
    parts.append("</section>")
    return "".join(parts)


def message_html(message: dict, mark: str, index: int) -> str:
    blocks = message_blocks(message)
    label = f"{index}: {message.get('role')}" + (f" · {mark}" if mark else "")
    return "".join(block_html(block, mark, label) for block in blocks)


def block_html(block: dict, mark: str, label: str) -> str:
    kind = block.get("type", "?")
    if kind == "text":
        body = block.get("text", "")
    elif kind == "tool_use":
        body = f"{block.get('name')}({json.dumps(block.get('input'), ensure_ascii=False)})"
    elif kind == "tool_result":
        content = block.get("content")
        content = "\n".join(c.get("text", "") for c in content) if isinstance(content, list) else content
        body = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        kind += " (error)" if block.get("is_error") else ""
    else:
        body = json.dumps(block, ensure_ascii=False)
    breakpoint_mark = ' <span class="bp">◆ cache breakpoint</span>' if block.get("cache_control") else ""
    head = f'<span class="tag">{esc(label)} · {esc(kind)}</span>{breakpoint_mark}'
    if len(body) > FOLD_CHARS:
        text = f"<details><summary>{esc(body[:160])}… ({len(body):,} characters)</summary><pre>{esc(body)}</pre></details>"
    else:
        text = f"<pre>{esc(body)}</pre>"
    return f'<div class="block {mark}">{head}{text}</div>'


def common_prefix(before: list, after: list) -> int:
    """How many leading messages two requests share (breakpoint markers aside)."""
    n = 0
    for old, new in zip(before, after, strict=False):
        if unmarked(old) != unmarked(new):
            break
        n += 1
    return n



def usage_line(usage: dict) -> str:
    """`tokens in 12,345 · read from cache 11,000 (89%) · written 1,200 · out 200`."""
    if not usage:
        return ""
    read, written = usage.get("cache_read_input_tokens") or 0, usage.get("cache_creation_input_tokens") or 0
    total = (usage.get("input_tokens") or 0) + read + written
    share = f" ({read / total:.0%})" if total else ""
    return (f"tokens in {total:,} · read from cache {read:,}{share} · written to cache {written:,} · "
            f"out {usage.get('output_tokens') or 0:,}")


def short(stats: str) -> str:
    return f" · {stats.split('(')[1].split(')')[0]} cached" if "(" in stats else ""


def esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="trace-view", description=__doc__.splitlines()[0])
    parser.add_argument("trace", type=Path, help="a trace file written with --trace (.harness/traces/*.jsonl)")
    parser.add_argument("-o", "--output", type=Path, help="the page to write (default: the trace's name, .html)")
    args = parser.parse_args(argv)
    if not args.trace.is_file():
        print(f"trace-view: {args.trace} is not a file", file=sys.stderr)
        return 2
    output = args.output or args.trace.with_suffix(".html")
    output.write_text(render(read_trace(args.trace), args.trace.name), encoding="utf-8")
    print(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
