"""The docs stay true to the code: every link resolves, every linked symbol exists, and the Chinese
pages keep step with the English ones."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").glob("*.md"))
ZH_DOCS = sorted((ROOT / "docs-zh").glob("*.md"))
LINK = re.compile(r"\[([^\]]+)\]\(([^)#\s]+)(?:#[^)]*)?\)")


def links(page: Path):
    for text, target in LINK.findall(page.read_text(encoding="utf-8")):
        if not re.match(r"[a-z]+://", target):
            yield text.strip("`"), (page.parent / target).resolve()


def defined_names(source: Path) -> dict[str, set[str]]:
    """Top-level names of a module, each with the names defined inside it (methods, fields)."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    names: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            inner = {n.name for n in getattr(node, "body", []) if isinstance(n, ast.FunctionDef | ast.ClassDef)}
            inner |= {t.target.id for t in getattr(node, "body", []) if isinstance(t, ast.AnnAssign)
                      and isinstance(t.target, ast.Name)}
            names[node.name] = inner
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    names[target.id] = set()
    return names


@pytest.mark.parametrize("page", DOCS + ZH_DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_links_resolve_and_name_real_symbols(page):
    for text, target in links(page):
        assert target.exists(), f"{page.name}: link to missing {target}"
        if target.suffix != ".py" or text.endswith(".py"):
            continue
        symbol = re.sub(r"\(.*\)$", "", text)  # `run_bash(...)` names run_bash
        parts = symbol.split(".")
        names = defined_names(target)
        if parts[0] == target.stem and len(parts) > 1:  # `cli.main` names main in cli.py
            parts = parts[1:]
        assert parts[0] in names, f"{page.name}: {symbol} is not defined in {target.name}"
        if len(parts) > 1:
            assert parts[1] in names[parts[0]], f"{page.name}: {symbol}: no {parts[1]} in {parts[0]}"


def test_every_chapter_has_both_pages():
    for chapter in sorted((ROOT / "chapters").glob("s[0-9][0-9]_*")):
        number = chapter.name.split("_")[0]
        assert list((ROOT / "docs").glob(f"{number}-*.md")), f"no English page for {chapter.name}"
        assert list((ROOT / "docs-zh").glob(f"{number}-*.md")), f"no Chinese page for {chapter.name}"


def test_chinese_pages_mirror_the_english_ones():
    assert [p.name for p in ZH_DOCS] == [p.name for p in DOCS]
    for en, zh in zip(DOCS, ZH_DOCS, strict=True):
        def shape(page):
            text = page.read_text(encoding="utf-8")
            return [len(re.findall(r"^#+ ", text, re.M)), text.count("```"), len(list(links(page)))]
        assert shape(zh) == shape(en), f"{zh.name} does not follow {en.name} (headings, code blocks, links)"
