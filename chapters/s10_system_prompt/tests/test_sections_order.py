"""`arrange`: static sections first, then the dynamic ones; a section may declare itself dynamic."""

from s02_tool_use.extension import Section
from s10_system_prompt.sections import arrange, is_static


def test_a_section_that_declares_itself_dynamic_goes_after_every_static_one():
    sections = [Section("environment", "cwd"), Section("team", "alice, bob", dynamic=True),
                Section("identity", "you are"), Section("tasks", "use the board"), Section("memory", "m")]
    assert [s.name for s in arrange(sections)] == ["identity", "tasks", "memory", "environment", "team"]
    assert [is_static(s) for s in arrange(sections)] == [True, True, False, False, False]
