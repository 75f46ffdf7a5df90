"""The Slack edge: slack-bolt on aiohttp, Block Kit rendering, and proactive sending."""
