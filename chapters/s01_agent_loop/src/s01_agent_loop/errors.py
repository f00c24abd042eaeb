"""Why a run stops early. `Agent.run` raises these; the command line reports them in one line."""


class AgentStop(Exception):
    """Base for every deliberate early stop of `Agent.run`."""


class TurnLimit(AgentStop):
    """The run used up `AgentConfig.max_turns` model calls without finishing."""
