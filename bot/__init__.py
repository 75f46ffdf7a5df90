"""The edges (Slack, Teams, console), the aiohttp application, the CLI and the composition root."""
