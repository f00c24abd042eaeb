"""Splitting shell commands into the simple commands they run, or refusing to guess."""

import pytest

from s07_permission_system.compound import Unparseable, command_forms, split_command, wrapper


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
    ("", []),
])
def test_split_gives_the_words_of_every_part(command, parts):
    assert [part.words for part in split_command(command)] == parts


def test_redirections_are_kept_apart_and_harmless_ones_recognised():
    part = split_command("python -m unittest 2>&1 >/dev/null < in.txt > out.txt")[0]
    assert part.words == ["python", "-m", "unittest"]
    assert part.redirects == [(">&", "1"), (">", "/dev/null"), ("<", "in.txt"), (">", "out.txt")]
    assert part.file_redirects() == ["<in.txt", ">out.txt"]


@pytest.mark.parametrize("command, why", [
    ("ls $(pwd)", "command substitution"),
    ("ls `pwd`", "backticks"),
    ('echo "$(pwd)"', "inside double quotes"),
    ("diff <(ls a) <(ls b)", "process substitution"),
    ("cat <<EOF\nx\nEOF", "here-document"),
    ("echo 'open", "unclosed quote"),
    ('echo "open', "unclosed quote"),
    ("(ls", "unclosed"),
    ("ls)", "subshell"),
    ("if true; then ls; fi", "`if`"),
    ("eval ls", "`eval`"),
    ("ls >", "without a target"),
])
def test_what_cannot_be_split_with_confidence_says_why(command, why):
    with pytest.raises(Unparseable, match=why.replace("(", r"\(").replace("$", r"\$")):
        split_command(command)


def test_wrappers_and_every_command_they_may_run():
    assert wrapper(["sudo", "rm"]) == "sudo" and wrapper(["/usr/bin/env", "x"]) == "env"
    assert wrapper(["find", ".", "-exec", "rm", "{}", ";"]) == "find" and wrapper(["find", "."]) is None
    assert ["rm", "-rf", "x"] in command_forms(["xargs", "/bin/rm", "-rf", "x"])
    assert ["rm", "-rf", "x"] in command_forms(["A=1", "B=2", "rm", "-rf", "x"])
    assert ["rm", "x"] in command_forms(["bash", "-c", "ls; rm x"])
    assert ["echo", "rm"] in command_forms(["echo", "rm"]) and ["rm"] not in command_forms(["echo", "rm"])
