"""`wordstats`: a small MCP server of the course's own, for the demo and the tests.

Written with the official server library (`MCPServer`), it serves the sample project's text folder:

    word_count(path)          read-only (readOnlyHint): words and lines of a text
    top_words(path, n)        read-only: the n most common words, also as structured content
    read_text(path)           read-only: the whole text
    word_chart(path, n)       read-only: a bar chart of the top words, as a PNG image
    add_text(name, content)   changes something: writes texts/<name>.txt
    wordstats://readme        a resource: the project's README.md
    wordstats://texts         a resource: the texts there are

    python -m s19_mcp_plugin.server [--root DIR]                 # stdio (what .mcp.json starts)
    python -m s19_mcp_plugin.server --http 8765 [--root DIR]     # Streamable HTTP on 127.0.0.1:8765/mcp
"""

import argparse
import re
import struct
import zlib
from collections import Counter
from pathlib import Path

WORD = re.compile(r"[A-Za-z']+")


def make_server(root: Path):
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.server.mcpserver.utilities.types import Image
    from mcp.types import ToolAnnotations

    root = root.resolve()
    server = MCPServer("wordstats", instructions="Statistics about the texts of the wordstats project.")
    reads = ToolAnnotations(read_only_hint=True)

    def text_at(path: str) -> str:
        file = (root / path).resolve()
        if not file.is_relative_to(root) or not file.is_file():
            raise ToolError(f"no text at {path!r} (paths are relative to the project, e.g. texts/lighthouse.txt)")
        return file.read_text(encoding="utf-8", errors="replace")

    @server.tool(annotations=reads)
    def word_count(path: str) -> str:
        """Count the words and lines of a text file (path relative to the project)."""
        text = text_at(path)
        return f"{path}: {len(WORD.findall(text))} words, {len(text.splitlines())} lines"

    @server.tool(annotations=reads)
    def top_words(path: str, n: int = 5) -> dict[str, int]:
        """The n most common words of a text file, with their counts."""
        return dict(Counter(w.lower() for w in WORD.findall(text_at(path))).most_common(n))

    @server.tool(annotations=reads)
    def read_text(path: str) -> str:
        """The whole text of a file."""
        return text_at(path)

    @server.tool(annotations=reads)
    def word_chart(path: str, n: int = 5) -> Image:
        """A bar chart (PNG) of the n most common words of a text: one bar per word, longest first."""
        counts = [c for _, c in Counter(w.lower() for w in WORD.findall(text_at(path))).most_common(n)]
        return Image(data=bar_chart(counts), format="png")

    @server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False))
    def add_text(name: str, content: str) -> str:
        """Add a text to the project as texts/<name>.txt (refuses to replace one)."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
            raise ToolError("name: letters, digits, - and _ only (at most 40)")
        file = root / "texts" / f"{name}.txt"
        if file.exists():
            raise ToolError(f"texts/{name}.txt exists already")
        file.parent.mkdir(exist_ok=True)
        file.write_text(content, encoding="utf-8")
        return f"wrote texts/{name}.txt ({len(WORD.findall(content))} words)"

    @server.resource("wordstats://readme", mime_type="text/markdown")
    def readme() -> str:
        """The project's README.md."""
        return text_at("README.md")

    @server.resource("wordstats://texts", mime_type="text/plain")
    def texts() -> str:
        """The texts of the project, one path a line."""
        return "\n".join(sorted(p.relative_to(root).as_posix() for p in (root / "texts").glob("*.txt")))

    return server


def bar_chart(counts: list[int], width: int = 120, bar: int = 12) -> bytes:
    """A PNG of horizontal bars, one per count, scaled to the largest. No imaging library: a PNG
    is a signature and three chunks (IHDR, IDAT: zlib-compressed rows, IEND)."""
    top = max(counts, default=1) or 1
    rows = []
    for count in counts:
        length = max(1, count * (width - 4) // top)
        line = bytes([40, 90, 160]) * length + bytes([255, 255, 255]) * (width - length)
        rows += [line] * (bar - 2) + [bytes([255, 255, 255]) * width] * 2
    rows = rows or [bytes([255, 255, 255]) * width]
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 per row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="s19_mcp_sample_server", description="the wordstats MCP server")
    parser.add_argument("--root", default=".", help="the project folder (default: here)")
    parser.add_argument("--http", type=int, metavar="PORT", help="serve Streamable HTTP on 127.0.0.1:PORT/mcp")
    args = parser.parse_args(argv)
    server = make_server(Path(args.root))
    if args.http is None:
        server.run()
    else:
        server.run("streamable-http", host="127.0.0.1", port=args.http)


if __name__ == "__main__":
    main()
