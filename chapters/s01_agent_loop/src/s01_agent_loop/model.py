"""The real model, through the official `anthropic` SDK, streaming.

subtle: `import anthropic` costs seconds, so it happens inside `client`, on first use; the command
line starts that import in a background thread while the user is still typing.
"""

from __future__ import annotations

from functools import cached_property

from .cli.settings import Settings


class AnthropicModel:
    def __init__(self, settings: Settings, max_retries: int = 2):
        self.settings = settings
        self.max_retries = max_retries

    @cached_property
    def client(self):
        import anthropic

        return anthropic.Anthropic(
            api_key=self.settings.api_key,
            auth_token=None if self.settings.api_key else self.settings.auth_token,
            base_url=self.settings.base_url,
            max_retries=self.max_retries,
        )

    def query(self, request: dict, on_text=None):
        """Stream one reply, passing text to `on_text` as it arrives; return the whole `Message`."""
        with self.client.messages.stream(**request) as stream:
            for event in stream:
                if event.type == "text" and on_text:
                    on_text(event.text)
            return stream.get_final_message()
