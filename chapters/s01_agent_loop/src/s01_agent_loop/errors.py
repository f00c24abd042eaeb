"""Why a run stops early. `Agent.run` raises these; the command line reports them in one line."""


class AgentStop(Exception):
    """Base for every deliberate early stop of `Agent.run`."""


class TurnLimit(AgentStop):
    """The run used up `AgentConfig.max_turns` model calls without finishing."""


class ConfigurationError(Exception):
    """A configuration file the harness cannot understand. The command line prints the message (it
    names the file, the place and the problem) as one line and exits 2: never a run that quietly
    has fewer rules than the user wrote."""
