"""s13_background_tasks: see README.md."""
