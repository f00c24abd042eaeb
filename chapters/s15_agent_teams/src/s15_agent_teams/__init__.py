"""s15_agent_teams: see README.md."""
