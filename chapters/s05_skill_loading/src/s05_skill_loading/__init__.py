"""Chapter: skills loaded on demand. See README.md for the modules in reading order."""
