"""The Slack edge: slack-bolt on aiohttp, Block Kit rendering, and proactive sending."""

from storage.enums import Platform

NAME: str = Platform.SLACK.value
# The slash command in the app manifest; typed before every command in a channel or DM.
COMMAND = "/mentor"
