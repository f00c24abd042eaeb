"""Splitting a shell command into the simple commands it runs, or saying that we cannot.

A rule such as `Bash(git status:*)` vouches for one command. `git status && rm -rf build` is two,
so every part is checked on its own and the whole is allowed only if every part is. A small
scanner does the splitting: it knows quotes and escapes, the operators `;` `&` `|` `&&` `||` and
newlines, subshell parentheses and redirections. What it cannot read with confidence (a command
inside the command: `$(...)`, backticks, `<(...)`; here-documents; `eval`; shell keywords; an
unclosed quote) raises `Unparseable`, and the caller asks the user.

    split_command("git status && ls -la | wc -l")
        -> [Part(["git", "status"]), Part(["ls", "-la"]), Part(["wc", "-l"])]
    split_command("ls $(cat list)")  -> Unparseable("command substitution `$(...)`")
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field

WRAPPERS = frozenset({
    "bash", "sh", "zsh", "dash", "ksh", "fish", "env", "xargs", "sudo", "doas", "su", "nice", "nohup",
    "timeout", "exec", "command", "builtin", "time", "stdbuf", "setsid", "watch", "parallel", "ionice",
    "chroot", "strace", "script", "flock", "busybox", "unbuffer",
})
"""Programs whose arguments are another command: `sudo rm x` runs `rm`. `find -exec` is one too."""
SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "fish"})
KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case",
                      "esac", "function", "select", "coproc", "[[", "eval"})
FIND_RUNS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


class Unparseable(ValueError):
    """The command uses something we cannot split with confidence; the message says what."""


@dataclass
class Part:
    """One simple command: its words after quote removal, and its redirections."""

    words: list[str]
    redirects: list[tuple[str, str]] = field(default_factory=list)
    """(operator, target) pairs, e.g. `(">", "out.txt")`, `(">&", "1")`."""

    @property
    def text(self) -> str:
        return " ".join([shlex.join(self.words), *(op + target for op, target in self.redirects)]).strip()

    def file_redirects(self) -> list[str]:
        """Redirections that read or write a file (`> out.txt`, `< secrets/key`); `2>&1` and
        `>/dev/null` are harmless."""
        return [op + target for op, target in self.redirects
                if target != "/dev/null" and not (op in (">&", "<&") and (target.isdigit() or target == "-"))]


def split_command(command: str) -> list[Part]:
    """The simple commands in `command`, in order; raises `Unparseable`."""
    return Scanner(command).split()


def wrapper(words: list[str]) -> str | None:
    """The program that would run another command (`bash -c`, `xargs`, `find -exec`...), or None."""
    name = posixpath.basename(words[0]) if words else ""
    if name in WRAPPERS or (name == "find" and FIND_RUNS & set(words)):
        return name
    return None


def command_forms(words: list[str]) -> list[list[str]]:
    """Every way to read which program these words run, for deny rules: as written, without
    `VAR=value` prefixes, by the program's base name (`/bin/rm` is `rm`), and every command a
    wrapper may run (`xargs rm -rf` runs `rm -rf`; `bash -c 'rm x'` runs `rm x`)."""
    forms = [words]
    rest = list(words)
    while rest and ASSIGNMENT.match(rest[0]):
        rest.pop(0)
    if not rest:
        return forms
    name = wrapper(rest)
    tails = [rest[k:] for k in range(len(rest) if name else 1)]  # subtle: any tail may be the command
    for tail in tails:
        forms += [tail, [posixpath.basename(tail[0]), *tail[1:]]]
    if name in SHELLS and "-c" in rest[:-1]:
        script = rest[rest.index("-c") + 1]
        try:
            for part in split_command(script):
                forms += command_forms(part.words)
        except Unparseable:
            forms += mentioned_commands(script)
    return forms


def mentioned_commands(command: str) -> list[list[str]]:
    """For a command we cannot parse: every run of words in it, split at anything shell-like.
    Deny rules are checked against all of them, so `ls $(rm -rf x)` still meets `Bash(rm:*)`."""
    words = [word for word in re.split(r"[\s;&|()`$<>'\"\\{}]+", command) if word]
    return [words[k:] for k in range(len(words))] + [[posixpath.basename(w), *words[k + 1:]]
                                                     for k, w in enumerate(words) if "/" in w]


# ---------------------------------------------------------------------------------------------


class Scanner:
    """Reads a command left to right, one character at a time, the way the shell would."""

    def __init__(self, command: str):
        self.text = command
        self.i = 0
        self.parts: list[Part] = []
        self.words: list[str] = []  # the words of the part being read
        self.redirects: list[tuple[str, str]] = []
        self.word: list[str] | None = None  # the word being read; None between words
        self.redirect: str | None = None  # a redirection operator waiting for its target
        self.depth = 0  # open subshell parentheses

    def split(self) -> list[Part]:
        text = self.text
        while self.i < len(text):
            c = text[self.i]
            # 1. quotes and escapes: what they hold is part of one word
            if c == "'":
                self.single_quoted()
            elif c == '"':
                self.double_quoted()
            elif c == "\\":
                self.escaped()
            # 2. a command inside this command: we do not look inside, we refuse to vouch
            elif c == "`":
                raise Unparseable("backticks (command substitution)")
            elif c == "$" and text[self.i + 1 : self.i + 2] in ("(", "'"):
                raise Unparseable("command substitution `$(...)`" if text[self.i + 1] == "(" else "`$'...'` quoting")
            # 3. operators end a simple command; parentheses open and close a subshell
            elif c in ";|\n" or (c == "&" and text[self.i + 1 : self.i + 2] != ">"):
                self.operator()
            elif c in "()":
                self.parenthesis(c)
            # 4. redirections: remember the target, a file may be read or written
            elif c in "<>" or c == "&":
                self.redirection()
            elif c in " \t\r":
                self.end_word()
                self.i += 1
            elif c == "#" and self.word is None:
                while self.i < len(text) and text[self.i] != "\n":  # a comment, to the end of the line
                    self.i += 1
            else:
                self.add(c)
                self.i += 1
        if self.depth:
            raise Unparseable("an unclosed `(`")
        self.end_part()
        return self.parts

    def add(self, chars: str) -> None:
        self.word = (self.word or []) + [chars]

    def end_word(self) -> None:
        if self.word is None:
            return
        word, self.word = "".join(self.word), None
        if self.redirect is not None:
            self.redirects.append((self.redirect, word))
            self.redirect = None
        else:
            self.words.append(word)

    def end_part(self) -> None:
        self.end_word()
        if self.redirect is not None:
            raise Unparseable(f"a redirection `{self.redirect}` without a target")
        words = self.words
        while words and words[0] in ("{", "}", "!"):  # group braces and `!` run the command after them
            words = words[1:]
        if words and words[0] in KEYWORDS:
            raise Unparseable(f"`{words[0]}` (shell syntax that is not checked part by part)")
        if words or self.redirects:
            self.parts.append(Part(words, self.redirects))
        self.words, self.redirects = [], []

    def single_quoted(self) -> None:
        end = self.text.find("'", self.i + 1)
        if end < 0:
            raise Unparseable("an unclosed quote")
        self.add(self.text[self.i + 1 : end])
        self.i = end + 1

    def double_quoted(self) -> None:
        text, i = self.text, self.i + 1
        self.add("")
        while i < len(text) and text[i] != '"':
            c, after = text[i], text[i + 1 : i + 2]
            if c == "`" or (c == "$" and after == "("):
                raise Unparseable("command substitution inside double quotes")
            if c == "\\" and after in ('"', "\\", "$", "`", "\n"):
                self.add(after if after != "\n" else "")
                i += 2
                continue
            self.add(c)
            i += 1
        if i >= len(text):
            raise Unparseable("an unclosed quote")
        self.i = i + 1

    def escaped(self) -> None:
        after = self.text[self.i + 1 : self.i + 2]
        if after != "\n":  # backslash-newline joins two lines
            self.add(after or "\\")
        self.i += 2

    def operator(self) -> None:
        two = self.text[self.i : self.i + 2]
        self.end_part()
        self.i += 2 if two in ("&&", "||", "|&", ";;") else 1

    def parenthesis(self, c: str) -> None:
        if c == "(" and self.word is None and not self.words and not self.redirects:
            self.depth += 1
        elif c == ")" and self.depth:
            self.end_part()
            self.depth -= 1
        else:
            raise Unparseable(f"a `{c}` where a subshell cannot start or end")
        self.i += 1

    def redirection(self) -> None:
        rest = self.text[self.i :]
        if rest.startswith("<<"):
            raise Unparseable("a here-document")
        if rest[:2] in ("<(", ">("):
            raise Unparseable("process substitution `<(...)`")
        op = next(o for o in ("&>>", "&>", ">>", ">|", ">&", "<&", "<>", ">", "<") if rest.startswith(o))
        if self.word is not None and "".join(self.word).isdigit():
            self.word = None  # `2>`: the number is the file descriptor, not a word
        self.end_word()
        if self.redirect is not None:
            raise Unparseable(f"a redirection `{self.redirect}` without a target")
        self.redirect = op
        self.i += len(op)
