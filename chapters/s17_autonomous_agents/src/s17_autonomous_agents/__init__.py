"""s17_autonomous_agents: see README.md."""
