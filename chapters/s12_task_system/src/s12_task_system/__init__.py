"""s12_task_system: see README.md."""
