"""`is_summary`: the message a compaction starts the new history with is told apart from a prompt."""

from s06_context_compact.summary import is_summary, summary_message


def test_the_summary_message_is_a_summary_and_a_prompt_is_not():
    made = summary_message("We fixed the median.", ".harness/transcripts/x-1.jsonl", None, ["a.py"], [])
    assert is_summary(made)
    assert not is_summary({"role": "user", "content": [{"type": "text", "text": "Summarise the README."}]})
    assert not is_summary({"role": "assistant", "content": made["content"]})
    assert not is_summary({"role": "user", "content": "This session is being continued"})
