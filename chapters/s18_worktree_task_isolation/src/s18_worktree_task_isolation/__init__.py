"""s18_worktree_task_isolation: see README.md."""
