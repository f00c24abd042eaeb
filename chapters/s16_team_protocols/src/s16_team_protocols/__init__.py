"""s16_team_protocols: see README.md."""
