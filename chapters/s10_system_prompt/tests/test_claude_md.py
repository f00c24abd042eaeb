"""The CLAUDE.md chain: which files, in what order, and the `@path` imports, on files in tmp_path."""

from pathlib import Path

from s10_system_prompt.claude_md import MAX_IMPORT_DEPTH, imports, project_root, read_chain, render


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def names(chain, base: Path) -> list[str]:
    return [f.path.resolve().relative_to(base.resolve()).as_posix() for f in chain.files]


def test_the_chain_runs_from_the_user_file_through_the_root_down_to_the_work_dir(tmp_path):
    home, repo = tmp_path / "home", tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    workdir = repo / "pkg" / "sub"
    workdir.mkdir(parents=True)
    for path in ["home/.claude/CLAUDE.md", "repo/CLAUDE.md", "repo/.claude/CLAUDE.md", "repo/pkg/CLAUDE.md",
                 "repo/pkg/sub/.claude/CLAUDE.md", "repo/pkg/sub/CLAUDE.local.md", "repo/CLAUDE.local.md",
                 "CLAUDE.md"]:  # tmp_path/CLAUDE.md is above the project root: not read
        write(tmp_path / path, f"from {path}")
    chain = read_chain(workdir, home)
    assert project_root(workdir) == repo.resolve()
    assert names(chain, tmp_path) == ["home/.claude/CLAUDE.md", "repo/CLAUDE.md", "repo/.claude/CLAUDE.md",
                                      "repo/pkg/CLAUDE.md", "repo/pkg/sub/.claude/CLAUDE.md",
                                      "repo/CLAUDE.local.md", "repo/pkg/sub/CLAUDE.local.md"]
    assert [f.kind for f in chain.files] == ["user", "project", "project", "project", "project", "local", "local"]
    assert chain.warnings == []


def test_without_git_the_work_dir_is_the_root(tmp_path):
    write(tmp_path / "CLAUDE.md", "above")
    workdir = tmp_path / "project"
    write(workdir / "CLAUDE.md", "here")
    assert project_root(workdir) == workdir.resolve()
    assert [f.text for f in read_chain(workdir, tmp_path / "nohome").files] == ["here"]


def test_imports_resolve_relative_to_the_importing_file_and_follow_it(tmp_path):
    home = tmp_path / "home"
    write(home / "notes.md", "home notes")
    write(tmp_path / "CLAUDE.md", "Style: @docs/style.md, and mine: @~/notes.md.\nThen the end.")
    write(tmp_path / "docs" / "style.md", "Names: @./naming.md")
    write(tmp_path / "docs" / "naming.md", "test_regression_<what>")
    write(tmp_path / "naming.md", "the wrong one: relative to the work dir, not to docs/")
    chain = read_chain(tmp_path, home)
    assert names(chain, tmp_path) == ["CLAUDE.md", "docs/style.md", "docs/naming.md", "home/notes.md"]
    assert [f.imported_by.name if f.imported_by else None for f in chain.files] == [
        None, "CLAUDE.md", "style.md", "CLAUDE.md"]
    text = render(chain, tmp_path)
    assert "Contents of docs/naming.md (project instructions, checked into the codebase; imported by docs/style.md)" \
        in text
    assert text.index("Style: @docs/style.md") < text.index("Names:") < text.index("test_regression_")
    assert "the wrong one" not in text


def test_code_is_not_an_import():
    source = "Use @a.md.\n`@b.md` in a span, and ``x @c.md``\n```python\n@decorator\n@d.md\n```\n" \
             "~~~\n@e.md\n~~~\nmail me@f.md or (@g.md)\n@h/i.md"
    assert imports(source) == ["a.md", "h/i.md"]


def test_a_cycle_and_a_second_import_include_a_file_once(tmp_path):
    write(tmp_path / "CLAUDE.md", "@a.md @b.md @a.md")
    write(tmp_path / "a.md", "A imports @b.md and @CLAUDE.md")
    write(tmp_path / "b.md", "B imports @a.md")
    chain = read_chain(tmp_path, tmp_path / "nohome")
    assert names(chain, tmp_path) == ["CLAUDE.md", "a.md", "b.md"]
    assert chain.warnings == []


def test_imports_stop_at_the_depth_limit_and_say_so(tmp_path):
    write(tmp_path / "CLAUDE.md", "@f1.md")
    for n in range(1, MAX_IMPORT_DEPTH + 3):
        write(tmp_path / f"f{n}.md", f"file {n} @f{n + 1}.md")
    chain = read_chain(tmp_path, tmp_path / "nohome")
    assert names(chain, tmp_path) == ["CLAUDE.md", *(f"f{n}.md" for n in range(1, MAX_IMPORT_DEPTH + 1))]
    [warning] = chain.warnings
    assert f"imports @f{MAX_IMPORT_DEPTH + 1}.md deeper than {MAX_IMPORT_DEPTH} levels" in warning


def test_a_missing_import_is_a_warning_and_the_rest_still_loads(tmp_path):
    write(tmp_path / "CLAUDE.local.md", "Mine. @~/gone.md")
    write(tmp_path / "CLAUDE.md", "See @docs/missing.md")
    chain = read_chain(tmp_path, tmp_path / "home")
    assert names(chain, tmp_path) == ["CLAUDE.md", "CLAUDE.local.md"]
    assert len(chain.warnings) == 2
    assert "imports @docs/missing.md, which does not exist" in chain.warnings[0]
    assert "imports @~/gone.md, which does not exist" in chain.warnings[1]
    assert "(user's private project instructions, not checked in)" in render(chain, tmp_path)


def test_no_files_no_section(tmp_path):
    assert render(read_chain(tmp_path, tmp_path / "home"), tmp_path) is None
