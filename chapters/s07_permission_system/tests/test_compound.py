"""Reading shell commands from bash's syntax tree: the simple commands they run, or why not."""

import time

import pytest

from s07_permission_system.compound import MAX_CHARS, Part, analyse
from s07_permission_system.programs import command_forms, wrapper


def words(command):
    return [part.words for part in analyse(command).parts]


@pytest.mark.parametrize("command, parts", [
    ("git status", [["git", "status"]]),
    ("git status && ls -la | wc -l", [["git", "status"], ["ls", "-la"], ["wc", "-l"]]),
    ("a; b || c & d |& e", [["a"], ["b"], ["c"], ["d"], ["e"]]),
    ("a\nb", [["a"], ["b"]]),
    ("(cd src && ls) | wc", [["cd", "src"], ["ls"], ["wc"]]),
    ("{ a; b; }", [["a"], ["b"]]),
    ("! grep -q x f", [["grep", "-q", "x", "f"]]),
    ("echo 'a; b' \"c && d\" e\\;f", [["echo", "a; b", "c && d", "e;f"]]),
    ('echo "say \\"hi\\"" \'\'', [["echo", 'say "hi"', ""]]),
    ("git status # ; rm -rf x\nls", [["git", "status"], ["ls"]]),
    ("a \\\n && b", [["a"], ["b"]]),
    ("echo $HOME ${USER}", [["echo", "$HOME", "${USER}"]]),
    ("r\\m x", [["rm", "x"]]),  # the shell removes the backslash: it is rm
    ("", []),
    # commands inside the command are parts of their own
    ("ls $(rm x)", [["rm", "x"], ["ls", "$(rm x)"]]),
    ("ls `rm y`", [["rm", "y"], ["ls", "`rm y`"]]),
    ('echo "$(id)"', [["id"], ["echo", "$(id)"]]),
    ("diff <(ls a) <(ls b)", [["ls", "a"], ["ls", "b"], ["diff", "<(ls a)", "<(ls b)"]]),
    ("for f in *.py; do wc -l \"$f\"; done", [["wc", "-l", "$f"]]),
    ("if test -f x; then ls; else rm y; fi", [["test", "-f", "x"], ["ls"], ["rm", "y"]]),
    ("f() { rm z; }; f", [["rm", "z"], ["f"]]),
    ("x=$(rm y)", [["rm", "y"], ["x=$(rm y)"]]),
    ("cat <<EOF\n$(rm h)\nEOF", [["rm", "h"], ["cat"]]),
])
def test_the_parts_are_every_simple_command_that_runs(command, parts):
    analysis = analyse(command)
    assert analysis.unknown == []
    assert [part.words for part in analysis.parts] == parts


def test_redirections_are_kept_apart_and_harmless_ones_recognised():
    [part] = analyse("python -m unittest 2>&1 >/dev/null < in.txt > out.txt").parts
    assert part.words == ["python", "-m", "unittest"]
    assert part.redirects == [(">&", "1"), (">", "/dev/null"), ("<", "in.txt"), (">", "out.txt")]
    assert part.file_redirects() == ["<in.txt", ">out.txt"]
    assert analyse("cat <<EOF\nx\nEOF").parts[0].file_redirects() == []  # a here-document is input, not a file


@pytest.mark.parametrize("command, why", [
    ("X=rm; $X x", "the program's name is computed"),
    ("$(printf rm) x", "the program's name is computed"),
    ("/bin/r? x", "the program's name is computed"),
    ("rm${IFS}x", "the program's name is computed"),
    ("ls ${x:='$(rm x)'} ${x@P}", "may run or assign code"),
    ("echo ${!ref}", "may run or assign code"),
    ("echo ${a[$i]}", "may run or assign code"),
    ("echo $[x+1] $((y))", "arithmetic"),
    ("(( x = y ))", "arithmetic"),
    ("[[ $x -eq 1 ]]", "arithmetic comparison"),
    ("echo $\"hi\"", "translated"),
    ("echo $'\\x72m'", "ansi c string"),
    ("ls {a,b}", "brace expansion"),
    ("echo rm x | bash", "reads its commands from stdin"),
    ("bash <<< 'rm x'", "reads its commands from stdin"),
    ("sh script.sh", "reads its commands from stdin or a file"),
    ("source evil.sh", "runs the commands of a file"),
    ('eval "$CMD"', "`eval` runs text computed"),
    ('bash -c "$CMD"', "runs text computed"),
    ("echo 'open", "could not be parsed"),
    ("x" * (MAX_CHARS + 1), "characters long"),
])
def test_what_cannot_be_analysed_says_why(command, why):
    unknown = analyse(command).unknown
    assert unknown and why in " ".join(unknown), unknown


@pytest.mark.parametrize("command, inner", [
    ("bash -c 'ls; rm x'", ["rm", "x"]),
    ("bash -xc 'rm x'", ["rm", "x"]),
    ("sh -ec 'rm x'", ["rm", "x"]),
    ("bash -c -- 'rm x'", ["rm", "x"]),
    ("bash -o pipefail -c 'rm x'", ["rm", "x"]),
    ("eval 'rm x'", ["rm", "x"]),
    ("trap 'rm x' EXIT", ["rm", "x"]),
    ("env -S 'rm x'", ["rm", "x"]),
    ("watch 'rm x'", ["rm", "x"]),
    ("xargs /bin/rm -rf x", ["rm", "-rf", "x"]),
    ("A=1 B=2 rm -rf x", ["rm", "-rf", "x"]),
    ("sudo -u bob rm x", ["rm", "x"]),
    ("find . -exec rm {} \\;", ["rm", "{}", ";"]),
    ("bash -c \"bash -c 'rm x'\"", ["rm", "x"]),
])
def test_deny_rules_see_every_command_a_part_may_run(command, inner):
    assert analyse(command).unknown == []
    assert inner in analyse(command).forms


def test_wrappers_and_plain_words():
    assert wrapper(["sudo", "rm"]) == "sudo" and wrapper(["/usr/bin/env", "x"]) == "env"
    assert wrapper(["find", ".", "-exec", "rm", "{}", ";"]) == "find" and wrapper(["find", "."]) is None
    forms, unknown = command_forms(Part(["echo", "rm"], static=[True, True]))
    assert ["echo", "rm"] in forms and ["rm"] not in forms and unknown == []


def test_analysis_takes_linear_time():
    """A long command is judged quickly, and an absurd one refused at once with a reason."""
    for command in ("ls " + "a " * 9_000, "`x` " * 4_000, "sudo " + "a " * 9_000, "a && " * 3_000 + "b"):
        start = time.perf_counter()
        analyse(command)
        assert time.perf_counter() - start < 2.0, command[:20]
    start = time.perf_counter()
    assert "characters long" in analyse("`" * 200_000).unknown[0]
    assert time.perf_counter() - start < 0.1
