"""The integrated agent: every chapter's capability at once (wiring.py), plus what a tool people
keep using needs: sessions saved as they happen and resumed, a status line, slash commands, and
a scripting mode in Claude Code's shapes."""
