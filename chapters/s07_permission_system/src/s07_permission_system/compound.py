"""Which simple commands a shell command runs, read from a real bash syntax tree, or why we cannot say.

A rule such as `Bash(git status:*)` vouches for one command. `git status && rm -rf build` is two,
so every part is checked on its own and the whole is allowed only if every part is. Splitting a
command by hand is where permission layers break (quotes, `${...}`, `$[...]`, here-strings...), so
the parsing is done by tree-sitter with the bash grammar, the parser Claude Code also builds on;
this module only walks the tree. The lesson is the walk: what it accepts, and what it refuses.

    analyse("git status && ls -la | wc -l").parts
        -> [Part(["git", "status"]), Part(["ls", "-la"]), Part(["wc", "-l"])]
    analyse("ls $(rm x)").parts       -> [Part(["ls", "$(rm x)"]), Part(["rm", "x"])]
    analyse("X=rm; $X x").unknown     -> ["the program's name is computed when it runs: `$X`", ...]

Commands inside the command (`$(...)`, backticks, `<(...)`, `bash -c '...'`, `eval '...'`, loop and
function bodies) are parts too. What runs code the text does not show (a program named by a
variable, `${x@P}`, arithmetic, a shell reading a script from stdin or a file, `source`) is listed in
`Analysis.unknown`: such a command is never allowed by a rule, and any deny rule may apply to it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import cache

MAX_CHARS = 20_000
"""Longer commands are not analysed (a heredoc writing a file belongs in write_file)."""
MAX_DEPTH = 4
"""Commands nested deeper than this (`bash -c "bash -c '...'"`) are not analysed."""

GLOB = re.compile(r"[*?\[]")
BRACES = re.compile(r"\{[^{}]*(?:,|\.\.)[^{}]*\}")
SAFE_EXPANSION = frozenset({"${", "}", "variable_name", "special_variable_name", ":-", "-", ":+", "+", "#", "##",
                            "%", "%%", "/", "//", "/#", "/%", "^", "^^", ",", ",,", "regex"})
"""What may stand inside `${...}`: a name and the operators that only read it. Not `@P` (runs the
value as a prompt), `:=` (assigns), `:offset` and `[subscript]` (arithmetic), `!` (indirection)."""
GROUPS = frozenset({"program", "list", "pipeline", "subshell", "compound_statement", "do_group", "negated_command",
                    "if_statement", "elif_clause", "else_clause", "while_statement", "case_statement",
                    "case_item", "for_statement"})
"""Nodes that only group statements: their commands are the parts."""


@dataclass
class Part:
    """One simple command: its words after quote removal, and its redirections."""

    words: list[str]
    redirects: list[tuple[str, str]] = field(default_factory=list)
    """(operator, target) pairs, e.g. `(">", "out.txt")`, `(">&", "1")`, `("<<", "here-document")`."""
    static: list[bool] = field(default_factory=list)
    """Per word: whether its value is known before the command runs (`$f` is not)."""

    @property
    def text(self) -> str:
        return " ".join([shlex.join(self.words), *(op + target for op, target in self.redirects)]).strip()

    def file_redirects(self) -> list[str]:
        """Redirections that read or write a file (`> out.txt`, `< secrets/key`); `2>&1`,
        `>/dev/null` and here-documents are harmless."""
        return [op + target for op, target in self.redirects
                if target != "/dev/null" and op not in ("<<", "<<-", "<<<")
                and not (op in (">&", "<&") and (target.isdigit() or target == "-"))]


@dataclass
class Analysis:
    parts: list[Part] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """What could not be analysed, one reason each; empty when every part was understood."""
    forms: list[list[str]] = field(default_factory=list)
    """Every command any part may run, for deny and ask rules (see `command_forms`)."""


def analyse(command: str, depth: int = 0) -> Analysis:
    """The parts of `command`, what could not be analysed, and every command it may run."""
    analysis = Analysis()
    if len(command) > MAX_CHARS:
        analysis.unknown.append(f"it is {len(command):,} characters long; commands over {MAX_CHARS:,} are not analysed")
        return analysis
    if depth > MAX_DEPTH:
        analysis.unknown.append(f"commands nested more than {MAX_DEPTH} deep are not analysed")
        return analysis
    if re.search(r"[^\s\\]\\\n[^\s]", command):
        # subtle: bash joins `r\<newline>m` into `rm`; the grammar reads two words
        analysis.unknown.append("a backslash-newline inside a word joins it in a way the parser does not follow")
    try:
        Walker(analysis, depth).statement(parser().parse(command.encode("utf-8", "surrogatepass")).root_node)
    except RecursionError:
        analysis.unknown.append("it is nested too deeply to analyse")
    from .programs import command_forms  # subtle: here, as programs.py analyses the code it finds

    for part in analysis.parts:
        forms, unknown = command_forms(part, depth)
        analysis.forms += forms
        analysis.unknown += unknown
    return analysis


@cache
def parser():
    """tree-sitter with the bash grammar (both are wheels on the package index)."""
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


# ---------------------------------------------------------------------------------------------
# Walking the tree: statements into parts, words into values


class Walker:
    def __init__(self, analysis: Analysis, depth: int):
        self.analysis = analysis
        self.depth = depth

    def refuse(self, reason: str) -> None:
        self.analysis.unknown.append(reason)

    def statement(self, node) -> None:
        # subtle: `a && b && c ...` nests lists to the left, thousands deep; groups go on a stack
        stack = [node]
        while stack:
            node = stack.pop()
            if node.type in GROUPS and not (node.children and node.children[0].type == "(("):
                for child in reversed(node.named_children):
                    if child.type in ("word", "string", "raw_string", "concatenation", "simple_expansion",
                                      "expansion", "command_substitution", "number"):
                        stack.append(_Value(child))  # a loop's list, a case's subject: their substitutions run
                    elif child.type != "variable_name":
                        stack.append(child)
            elif isinstance(node, _Value):
                self.value(node.node)
            else:
                self.single(node)

    def single(self, node) -> None:
        kind = node.type
        if node.is_missing or kind == "ERROR":
            self.refuse(f"it could not be parsed near `{text(node)[:40]}`")
        elif kind == "compound_statement":  # `(( ... ))`
            self.refuse("arithmetic evaluates variables' values as code")
        elif kind == "redirected_statement":
            start = len(self.analysis.parts)
            redirects = [self.redirect(child) for child in node.named_children if child.type.endswith("redirect")]
            body = node.child_by_field_name("body")
            if body is not None:
                self.statement(body)
            for part in self.analysis.parts[start:]:  # subtle: the grammar may bind `>` to a whole list
                part.redirects += redirects
        elif kind == "command":
            self.command(node)
        elif kind in ("declaration_command", "unset_command"):
            words = [text(node.children[0])] + [self.value(child)[0] for child in node.named_children]
            self.analysis.parts.append(Part(words, static=[True] * len(words)))
        elif kind == "variable_assignment":
            value, _ = self.value(node.child_by_field_name("value")) if node.child_by_field_name("value") else ("", True)
            self.analysis.parts.append(Part([f"{text(node.child_by_field_name('name'))}={value}"], static=[True]))
        elif kind == "function_definition":
            self.statement(node.child_by_field_name("body"))
        elif kind == "test_command":
            self.test(node)
        elif kind == "comment":
            pass
        elif kind in ("arithmetic_expansion", "c_style_for_statement", "compound_statement_arithmetic"):
            self.refuse("arithmetic evaluates variables' values as code")
        else:
            self.refuse(f"`{kind.replace('_', ' ')}` is not checked part by part")

    def command(self, node) -> None:
        words, static, redirects = [], [], []
        if any(not child.is_named and text(child) == "$" for child in node.children):
            self.refuse("`$\"...\"` (a string translated when it runs) is not checked")
        for child in node.named_children:
            if child.type == "variable_assignment":
                value_node = child.child_by_field_name("value")
                value, known = self.value(value_node) if value_node is not None else ("", True)
                words.append(f"{text(child.child_by_field_name('name'))}={value}")
                static.append(known)
            elif child.type == "command_name":
                name, known = self.value(child.named_children[0]) if child.named_children else ("", False)
                if not known or GLOB.search(name):
                    self.refuse(f"the program's name is computed when it runs: `{text(child)}`")
                words.append(name)
                static.append(known)
            elif child.type.endswith("redirect"):
                redirects.append(self.redirect(child))
            else:
                value, known = self.value(child)
                words.append(value)
                static.append(known)
        self.analysis.parts.append(Part(words, redirects, static))

    def redirect(self, node) -> tuple[str, str]:
        if node.type == "heredoc_redirect":
            for child in node.named_children:  # `$(...)` inside an unquoted here-document runs
                for inner in child.named_children if child.type == "heredoc_body" else []:
                    if inner.type in ("command_substitution", "expansion", "simple_expansion", "arithmetic_expansion"):
                        self.value(inner)
            return "<<", "here-document"
        operator = next((text(c) for c in node.children if not c.is_named), "")
        target = node.child_by_field_name("destination") or (node.named_children[-1] if node.named_children else None)
        value = self.value(target)[0] if target is not None and target.type != "file_descriptor" else ""
        return operator, value

    def test(self, node) -> None:
        """`[[ ... ]]`: no part of its own, but its expansions run, and -eq & co. evaluate arithmetic."""
        for child in walk(node):
            if child.type == "test_operator" and text(child) in ("-eq", "-ne", "-lt", "-le", "-gt", "-ge"):
                self.refuse("an arithmetic comparison in `[[ ]]` evaluates its operands as code")
            elif child.type in ("command_substitution", "process_substitution", "expansion", "arithmetic_expansion"):
                self.value(child)

    def value(self, node) -> tuple[str, bool]:
        """A word's value after quote removal, and whether it is known before the command runs."""
        kind = node.type
        if kind in ("word", "number"):
            # the shell drops a backslash-newline and the backslash before any other character
            return re.sub(r"\\(.)", r"\1", text(node).replace("\\\n", ""), flags=re.DOTALL), True
        if kind == "raw_string":
            return text(node)[1:-1], True
        if kind == "string":
            parts = [self.value(child) if child.type != "string_content" else
                     (re.sub(r'\\([$`"\\\n])', r"\1", text(child)), True) for child in node.named_children]
            return "".join(p for p, _ in parts), all(k for _, k in parts)
        if kind == "concatenation":
            parts = [self.value(child) for child in node.named_children]
            joined = "".join(p for p, _ in parts)
            if BRACES.search(joined) and all(child.type == "word" for child in node.named_children):
                self.refuse(f"brace expansion makes several words of `{text(node)}`")
            return joined, all(k for _, k in parts)
        if kind == "simple_expansion":
            return text(node), False
        if kind == "expansion":
            if any(child.type not in SAFE_EXPANSION and not child.is_named for child in node.children) or any(
                    child.type in ("subscript",) for child in node.named_children):
                self.refuse(f"`{text(node)[:40]}` may run or assign code when it expands")
            for child in node.named_children:
                if child.type not in ("variable_name", "special_variable_name", "regex"):
                    self.value(child)
            return text(node), False
        if kind in ("command_substitution", "process_substitution"):
            for child in node.named_children:
                self.statement(child)
            return text(node), False
        if kind == "arithmetic_expansion":
            if any(n.type not in ("number",) and n.is_named for n in walk(node) if n is not node and n.named_children == []):
                self.refuse("arithmetic evaluates variables' values as code")
            return text(node), False  # numbers and operators only: harmless
        self.refuse(f"`{text(node)[:40]}` ({kind.replace('_', ' ')}) is not checked")
        return text(node), False


@dataclass
class _Value:
    """On the walker's stack: a word whose substitutions run, not a statement."""

    node: object
    type: str = "_value"


def text(node) -> str:
    return node.text.decode("utf-8", "replace") if node is not None else ""


def walk(node):
    """Every node under `node`, depth first, without recursion."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))
