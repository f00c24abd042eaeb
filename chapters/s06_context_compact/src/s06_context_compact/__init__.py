"""Chapter: context compaction. See README.md for the modules in reading order."""
