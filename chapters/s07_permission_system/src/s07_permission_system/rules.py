"""Permission rules in Claude Code's form: `Tool` or `Tool(specifier)`, each allow, ask or deny.

    "Bash"                    every shell command
    "Bash(git status:*)"      prefix: `git status`, `git status -s` (not `git statusx`)
    "Bash(npm run *)"         wildcard: `*` is any text; a trailing ` *` may also be nothing
    "Bash(npm test)"          exactly this command
    "Read(./secrets/**)"      paths, gitignore style, for every tool of kind read (read_file, glob, grep)
    "Edit(src/**)"            paths for every tool of kind edit (write_file, edit_file)
    "TodoWrite", "mcp__git"   any tool by its name (an MCP server's tools by their prefix;
                              `mcp__git__*` says the same)

Path specifiers are anchored like Claude Code's: `//abs/path` absolute, `~/path` in the home
folder, `/path` and `./path` and `path` in the work dir; a pattern with no `/` (`*.env`) matches at
any depth. Paths are compared after resolving them, so `./a/../secrets/x` is still a secret.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from s02_tool_use.paths import glob_to_regex
from s02_tool_use.settings import change_local_settings, settings_paths

BEHAVIORS = ("deny", "ask", "allow")  # the order rules are checked in: deny beats ask beats allow
RULE_TOOLS = {
    "Bash": ("bash",),
    "Write": ("write_file",),
    "Glob": ("glob",),
    "Grep": ("grep",),
}
"""Claude Code's names for s02's tools, as rules write them."""
RULE_KINDS = {"Read": "read", "Edit": "edit"}
"""Rules about every tool of a kind, whichever chapter declares it (`Tool.kind`)."""
PATH_RULES = frozenset({"Read", "Edit", "Write", "Glob", "Grep"})
RULE = re.compile(r"^([A-Za-z0-9_*-]+)(?:\((.*)\))?$", re.DOTALL)
SOURCES = {"user": "~/.claude/settings.json", "project": ".claude/settings.json", "local": ".claude/settings.local.json"}
CASE_INSENSITIVE = sys.platform in ("darwin", "win32")
"""subtle: there `SECRETS/key` opens `secrets/key`, so path patterns ignore case."""


@dataclass(frozen=True)
class Rule:
    behavior: str
    """`allow`, `ask` or `deny`."""
    tool: str
    """`Bash`, `Read`, `Edit`... or any tool's own name."""
    specifier: str | None = None
    """What is inside the parentheses; None (or `*`) means every use of the tool."""
    source: str = "session"
    """Where the rule comes from: a settings file, or `session` (an "allow always" answer)."""

    def __str__(self) -> str:
        return self.tool if self.specifier is None else f"{self.tool}({self.specifier})"

    @property
    def exact(self) -> bool:
        """A bare tool name or one exact command: the only rules that may vouch for a wrapper."""
        return self.specifier is None or "*" not in self.specifier

    def covers(self, tool_name: str, kind: str | None = None) -> bool:
        """Whether the rule is about this tool (of this kind) at all."""
        if tool_name in RULE_TOOLS.get(self.tool, ()) or tool_name == self.tool:
            return True
        if kind is not None and RULE_KINDS.get(self.tool) == kind:
            return True
        # an MCP server's tools by their prefix: `mcp__git` and `mcp__git__*` cover `mcp__git__status`
        server = self.tool.removesuffix("__*")
        return server.startswith("mcp__") and "*" not in server and tool_name.startswith(server + "__")

    def matches_command(self, words: list[str]) -> bool:
        """A `Bash(...)` rule against the words of one simple command."""
        spec = self.specifier
        if spec is None:
            return True
        if spec.endswith(":*"):  # a prefix, whole words only
            prefix = split_words(spec[:-2])
            return words[: len(prefix)] == prefix
        if "*" in spec:
            return bool(wildcard(spec).fullmatch(" ".join(words)))
        return words == split_words(spec)

    def matches_path(self, path: Path, workdir: Path, home: Path) -> bool:
        """A path rule against a resolved path. subtle: `secrets/**` also covers the folder
        `secrets` itself, so `grep path=secrets` is as denied as reading a file in it; and
        `secrets` covers what is in it."""
        if self.specifier is None:
            return True
        pattern = path_pattern(self.specifier, workdir, home)
        # gitignore semantics: a pattern that names a folder (`./secrets`) covers all that is in it
        for candidate in (path, *path.parents):
            text = candidate.as_posix()
            if pattern.fullmatch(text) or pattern.fullmatch(text.rstrip("/") + "/"):
                return True
        return False


# ---------------------------------------------------------------------------------------------


def parse_rule(text: str, behavior: str, source: str = "session") -> Rule:
    """`"Bash(git status:*)"` -> Rule(behavior, "Bash", "git status:*", source); ValueError if malformed."""
    found = RULE.match(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise ValueError(f"{text!r} is not a rule: write Tool or Tool(specifier), e.g. Bash(git status:*)")
    tool, spec = found.groups()
    if spec is not None and spec.strip() in ("", "*"):
        spec = None  # `Bash(*)` and `Bash()` mean every use, like `Bash`
    if spec is not None and tool in PATH_RULES:
        spec = spec.strip()
    return Rule(behavior, tool, spec, source)


def split_words(spec: str) -> list[str]:
    """A rule's command as words, with the shell's quoting: `git commit -m 'x y'` is four words."""
    try:
        return shlex.split(spec)
    except ValueError:
        return spec.split()


def wildcard(spec: str) -> re.Pattern[str]:
    """`npm run *` -> any text for `*`; a single trailing ` *` may also match nothing (`npm run`)."""
    if spec.endswith(" *") and spec.count("*") == 1:
        return re.compile(re.escape(" ".join(split_words(spec[:-2]))) + r"(?: .*)?", re.DOTALL)
    return re.compile(".*".join(re.escape(piece) for piece in spec.split("*")), re.DOTALL)


def path_pattern(spec: str, workdir: Path, home: Path) -> re.Pattern[str]:
    """A path specifier as a regular expression over resolved absolute POSIX paths."""
    # 1. the anchor: where the pattern starts
    if spec.startswith("//"):
        base, rest = Path("/"), spec[2:]
    elif spec.startswith("~/"):
        base, rest = home, spec[2:]
    elif spec.startswith("/"):
        base, rest = workdir, spec[1:]
    else:
        base, rest = workdir, spec.removeprefix("./")
        if "/" not in rest.rstrip("/"):
            rest = "**/" + rest  # gitignore: a bare name matches at any depth
    # 2. a folder (`build/`) means everything in it
    if rest.endswith("/"):
        rest += "**"
    # 3. the base is resolved like the paths it is compared with (symlinked temp dirs on macOS)
    root = re.escape(base.resolve().as_posix().rstrip("/"))
    return re.compile(root + "/" + glob_to_regex(rest).pattern, re.DOTALL | (re.I if CASE_INSENSITIVE else 0))


def save_rule(workdir: Path, behavior: str, rule: str) -> Path:
    """Add `rule` to `permissions.<behavior>` in `.claude/settings.local.json`, keeping everything
    else in the file; written atomically. A file that is not a JSON object is left alone (ValueError)."""

    def add(data) -> None:
        path = settings_paths(workdir)["local"]
        if not isinstance(data, dict) or not isinstance(data.setdefault("permissions", {}), dict):
            raise ValueError(f"{path}: expected a JSON object with a `permissions` object; not changing it")
        rules = data["permissions"].setdefault(behavior, [])
        if not isinstance(rules, list):
            raise ValueError(f"{path}: permissions.{behavior} is not a list; not changing it")
        if rule not in rules:
            rules.append(rule)

    return change_local_settings(workdir, add)
