"""Chapter: subagents. See README.md for the modules in reading order."""
