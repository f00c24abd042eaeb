"""Chapter: planning with TodoWrite. See README.md for the modules in reading order."""
