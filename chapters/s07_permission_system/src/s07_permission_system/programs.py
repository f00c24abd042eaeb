"""Which programs a simple command may run: for deny and ask rules, which must see them all.

`compound.py` turns a command into parts; this module reads each part the way a deny rule must:
`sudo rm x` runs `rm`, `xargs rm` runs `rm`, `bash -c 'rm x'`, `eval 'rm x'`, `trap 'rm x' EXIT`,
`env -S 'rm x'`, `watch 'rm x'` and `alias ls='rm x'` run the code in their arguments (parsed in
turn), and a shell reading a script from stdin or a file runs code the text does not show.
"""

from __future__ import annotations

import posixpath
import re

from .compound import Part, analyse

WRAPPERS = frozenset({
    "bash", "sh", "zsh", "dash", "ksh", "fish", "env", "xargs", "sudo", "doas", "su", "nice", "nohup",
    "timeout", "exec", "command", "builtin", "time", "stdbuf", "setsid", "watch", "parallel", "ionice",
    "chroot", "strace", "script", "flock", "busybox", "unbuffer",
})
"""Programs whose arguments are another command: `sudo rm x` runs `rm`. `find -exec` is one too."""
SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "fish", "busybox"})
FIND_RUNS = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\+?=")
MAX_TAILS = 32
"""A wrapper's arguments that may each start the command it runs (`sudo -u x rm`)."""


def wrapper(words: list[str]) -> str | None:
    """The program that would run another command (`bash -c`, `xargs`, `find -exec`...), or None."""
    name = posixpath.basename(words[0]) if words else ""
    if name in WRAPPERS or (name == "find" and FIND_RUNS & set(words)):
        return name
    return None


def command_forms(part: Part, depth: int = 0) -> tuple[list[list[str]], list[str]]:
    """Every way to read which program a part runs, for deny rules: as written, without
    `VAR=value` prefixes, by the program's base name (`/bin/rm` is `rm`), every command a wrapper
    may run (`xargs rm -rf` runs `rm -rf`) and the commands in code it evaluates (`bash -c 'rm x'`,
    `eval`, `trap`, `env -S`); and what could not be read that way."""
    words, static = list(part.words), list(part.static) or [True] * len(part.words)
    while words and ASSIGNMENT.match(words[0]):
        words, static = words[1:], static[1:]
    forms, unknown = [part.words], []
    if not words:
        return forms, unknown
    name = wrapper(words)
    starts = range(len(words)) if name else range(1)
    if len(starts) > MAX_TAILS:
        unknown.append(f"`{name}` has too many arguments to check which command it runs")
        starts = range(MAX_TAILS)
    for k in starts:  # subtle: after a wrapper any word may be the command it runs
        tail = words[k:]
        forms += [tail, [posixpath.basename(tail[0]), *tail[1:]]]
    for script, why in evaluated_code(words, static):
        if script is None:
            unknown.append(why)
            continue
        inner = analyse(script, depth + 1)
        forms += inner.forms
        unknown += inner.unknown
    return forms, unknown


def evaluated_code(words: list[str], static: list[bool]) -> list[tuple[str | None, str]]:
    """The code a command runs from its arguments or its input: (script, "") for code we can read,
    (None, why) for code we cannot."""
    name = posixpath.basename(words[0])
    found: list[tuple[str | None, str]] = []
    if name in SHELLS:
        found.append(shell_script(words, static))
    elif name == "eval":
        known = all(static[1:])
        found.append((" ".join(words[1:]), "") if known else (None, "`eval` runs text computed when it runs"))
    elif name == "trap" and len(words) > 1:
        found.append((words[1], "") if static[1] else (None, "`trap` runs text computed when it runs"))
    elif name == "alias":  # an alias's value runs wherever its name is used later
        found += [(word.split("=", 1)[1], "") if known else (None, "an alias computed when it runs")
                  for word, known in zip(words[1:], static[1:], strict=True) if "=" in word]
    elif name in ("source", "."):
        found.append((None, f"`{name}` runs the commands of a file"))
    elif name == "env":
        for i, word in enumerate(words):
            if word in ("-S", "--split-string") and i + 1 < len(words):
                found.append((words[i + 1], "") if static[i + 1] else (None, "`env -S` runs computed text"))
            elif word.startswith(("-S", "--split-string=")) and word not in ("-S", "--split-string"):
                found.append((word.split("=", 1)[1] if word.startswith("--") else word[2:], ""))
    elif name in WRAPPERS:  # watch 'cmd', su -c 'cmd', flock f -c 'cmd': a string run by a shell
        found += [(word, "") for word, known in zip(words[1:], static[1:], strict=True)
                  if known and re.search(r"[\s;&|]", word)]
    return found


def shell_script(words: list[str], static: list[bool]) -> tuple[str | None, str]:
    """The script a shell runs: the argument after `-c` (also `-xc`, `-ec`, `-c --`), or None when it
    reads its commands from stdin, a here-string or a file."""
    takes_command = False
    i = 1
    while i < len(words):
        word = words[i]
        if word == "--":
            i += 1
            break
        if word in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if word.startswith(("-", "+")) and len(word) > 1:
            takes_command = takes_command or (not word.startswith("--") and "c" in word[1:])
            i += 1
            continue
        break
    if not takes_command:
        return None, f"`{words[0]}` reads its commands from stdin or a file, which the text does not show"
    if i >= len(words):
        return None, f"`{words[0]} -c` without a script"
    if not static[i]:
        return None, f"`{words[0]} -c` runs text computed when it runs"
    return words[i], ""

