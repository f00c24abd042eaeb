"""Lanes against real git in a temporary repository: create, remove (refused while work would be
lost), merge (clean, refused, conflicting and aborted), prune; and the messages outside a repository."""

from __future__ import annotations

import json
import shutil

import pytest

from s02_tool_use.tools import ToolError
from s18_worktree_task_isolation.lanes import Lanes
from s18_worktree_task_isolation.merge import merge_lane

from .conftest import sh


def commit_in(folder, path, text, message="change"):
    (folder / path).write_text(text, encoding="utf-8")
    sh(folder, "add", "-A")
    sh(folder, "commit", "-q", "-m", message)


def test_a_lane_is_a_worktree_on_its_own_branch_from_head_with_a_record(repo):
    lanes = Lanes(repo)
    lane = lanes.create("fix-median", task_id="1")
    folder = repo / ".harness" / "worktrees" / "fix-median"
    assert lanes.path(lane) == folder and (folder / "stats.py").is_file()
    assert (lane.branch, lane.base, lane.status) == ("lane/fix-median", sh(repo, "rev-parse", "HEAD").strip(), "active")
    assert sh(folder, "branch", "--show-current").strip() == "lane/fix-median"
    assert str(folder) in sh(repo, "worktree", "list")
    record = json.loads((repo / ".harness" / "worktrees" / "lanes.json").read_text(encoding="utf-8"))
    assert record["fix-median"]["task_id"] == "1" and record["fix-median"]["status"] == "active"
    assert sh(repo, "status", "--porcelain") == ""  # the main checkout does not see its lanes


def test_a_bad_name_a_taken_name_and_an_unknown_base_are_refused(repo):
    lanes = Lanes(repo)
    for name in ("Fix", "../up", "-x", "a" * 41, "a b"):
        with pytest.raises(ToolError, match="cannot name a lane"):
            lanes.create(name)
    lanes.create("one")
    with pytest.raises(ToolError, match="exists already \\(active\\)"):
        lanes.create("one")
    with pytest.raises(ToolError, match="'nope' is not a commit"):
        lanes.create("two", base="nope")
    assert list(lanes.all()) == ["one"]


def test_outside_a_repository_and_before_a_first_commit_one_clear_message(tmp_path):
    with pytest.raises(ToolError) as caught:
        Lanes(tmp_path)
    assert "is not in a git repository" in str(caught.value) and "git init && git add -A" in str(caught.value)
    sh(tmp_path, "init", "-q")
    with pytest.raises(ToolError, match="has no commits yet"):
        Lanes(tmp_path)
    assert not (tmp_path / ".harness").exists()


def test_remove_refuses_a_dirty_lane_and_unmerged_commits_unless_forced(repo):
    lanes = Lanes(repo)
    lane = lanes.create("scratch")
    folder = lanes.path(lane)
    (folder / "new.txt").write_text("draft\n", encoding="utf-8")
    with pytest.raises(ToolError, match="1 uncommitted change \\(new.txt\\); removing it would lose them"):
        lanes.remove(lane)
    sh(folder, "add", "-A")
    sh(folder, "commit", "-q", "-m", "draft")
    with pytest.raises(ToolError, match="has 1 commit that the main checkout does not"):
        lanes.remove(lane)
    assert folder.is_dir()
    lanes.remove(lane, force=True)
    assert not folder.exists() and "lane/scratch" not in sh(repo, "branch", "--list")
    assert lanes.get("scratch", open_only=False).status == "removed"
    with pytest.raises(ToolError, match="The lane 'scratch' is removed. Open lanes: none"):
        lanes.get("scratch")


def test_a_clean_lane_is_removed_and_its_name_may_be_used_again(repo):
    lanes = Lanes(repo)
    lanes.remove(lanes.create("tmp"))
    assert lanes.create("tmp").status == "active"


def test_merge_brings_the_lanes_commits_in_with_a_merge_commit_and_removes_the_lane(repo):
    lanes = Lanes(repo)
    lane = lanes.create("notes", task_id="2")
    commit_in(lanes.path(lane), "notes.txt", "one\ntwo\n", "second note")
    report = merge_lane(lanes, lane)
    assert report.startswith("Merged lane/notes into main as ") and "1 file changed" in report
    assert (repo / "notes.txt").read_text(encoding="utf-8") == "one\ntwo\n"
    assert len(sh(repo, "log", "-1", "--format=%P").split()) == 2  # --no-ff: a merge commit, always
    assert sh(repo, "log", "-1", "--format=%s").strip() == "Merge lane notes (task #2)"
    assert not lanes.path(lane).exists() and "lane/notes" not in sh(repo, "branch", "--list")
    assert lanes.get("notes", open_only=False).status == "merged"


def test_merge_refuses_a_lane_with_uncommitted_work_or_nothing_to_bring(repo):
    lanes = Lanes(repo)
    lane = lanes.create("loose")
    with pytest.raises(ToolError, match="has no commits that main lacks: nothing to merge"):
        merge_lane(lanes, lane)
    (lanes.path(lane) / "notes.txt").write_text("changed\n", encoding="utf-8")
    with pytest.raises(ToolError) as caught:
        merge_lane(lanes, lane)
    assert "1 uncommitted change (notes.txt). A merge brings commits" in str(caught.value)
    assert "git add -A && git commit" in str(caught.value)
    assert lanes.get("loose").status == "active" and (repo / "notes.txt").read_text(encoding="utf-8") == "one\n"


def test_a_conflict_is_reported_file_by_file_and_the_merge_aborted(repo):
    lanes = Lanes(repo)
    lane = lanes.create("theirs")
    commit_in(lanes.path(lane), "notes.txt", "lane's line\n")
    commit_in(repo, "notes.txt", "main's line\n")
    head = sh(repo, "rev-parse", "HEAD")
    with pytest.raises(ToolError) as caught:
        merge_lane(lanes, lane)
    message = str(caught.value)
    assert "stopped at conflicts in 1 file: notes.txt" in message and "The merge was\naborted" in message
    assert 'command "git merge main"' in message
    # nothing half done: the same commit, no merge in progress, a clean checkout, the lane still open
    assert sh(repo, "rev-parse", "HEAD") == head and sh(repo, "status", "--porcelain") == ""
    assert not (repo / ".git" / "MERGE_HEAD").exists()
    assert (repo / "notes.txt").read_text(encoding="utf-8") == "main's line\n"
    assert lanes.get("theirs").status == "active" and lanes.path(lane).is_dir()


def test_merge_refuses_while_the_main_checkout_has_uncommitted_changes(repo):
    lanes = Lanes(repo)
    lane = lanes.create("later")
    commit_in(lanes.path(lane), "stats.py", "# lane\n")
    (repo / "notes.txt").write_text("unsaved\n", encoding="utf-8")
    with pytest.raises(ToolError, match="main checkout has uncommitted changes \\(notes.txt\\)"):
        merge_lane(lanes, lane)


def test_a_kept_lane_can_be_merged_later_and_a_refusing_hook_keeps_its_folder(repo):
    lanes = Lanes(repo)
    lane = lanes.keep(lanes.create("kept"))
    commit_in(lanes.path(lane), "notes.txt", "one\nkept\n")

    def refuse(lane):
        raise ToolError("A WorktreeRemove hook refused: still in use")

    report = merge_lane(lanes, lanes.get("kept"), before=refuse)
    assert "Its folder stays (status kept): A WorktreeRemove hook refused: still in use" in report
    assert (repo / "notes.txt").read_text(encoding="utf-8") == "one\nkept\n" and lanes.path(lane).is_dir()
    lanes.remove(lanes.get("kept"))  # merged, so nothing is lost: no force needed
    assert not lanes.path(lane).exists()


def test_prune_forgets_lanes_whose_folder_is_gone_and_keeps_their_branches(repo):
    lanes = Lanes(repo)
    lane = lanes.create("vanished")
    lanes.create("here")
    shutil.rmtree(lanes.path(lane))
    assert [gone.name for gone in lanes.prune()] == ["vanished"]
    assert "vanished" not in sh(repo, "worktree", "list") and "lane/vanished" in sh(repo, "branch", "--list")
    assert lanes.get("vanished", open_only=False).note == "its folder was gone at a start; branch lane/vanished kept"
    assert lanes.get("here").status == "active"


def test_a_lane_whose_folder_is_gone_still_guards_the_commits_on_its_branch(repo):
    lanes = Lanes(repo)
    lane = lanes.create("lost")
    commit_in(lanes.path(lane), "notes.txt", "only on the branch\n")
    shutil.rmtree(lanes.path(lane))
    with pytest.raises(ToolError, match="has 1 commit that the main checkout does not"):
        lanes.remove(lane)
    lanes.remove(lane, force=True)
    assert "lane/lost" not in sh(repo, "branch", "--list") and "lost" not in sh(repo, "worktree", "list")


def test_from_a_subfolder_the_lane_work_dir_is_the_same_subfolder_of_the_lane(repo):
    (repo / "pkg").mkdir()
    commit_in(repo, "pkg/mod.py", "x = 1\n")
    lanes = Lanes(repo / "pkg")
    lane = lanes.create("deep")
    assert lanes.path(lane) == repo / "pkg" / ".harness" / "worktrees" / "deep"
    assert lanes.workdir(lane) == lanes.path(lane) / "pkg" and (lanes.workdir(lane) / "mod.py").is_file()
