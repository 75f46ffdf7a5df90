"""The console edge: the neutral messages and forms as text in a terminal.

A third edge beside Slack and Teams, with no SDK and no network: `mentorbot chat` talks to
the handlers as a person on the roster, and `mentorbot demo` replays half a term through
the real scheduler and handlers. Nothing in handlers/ or scheduler/ knows it exists.
"""

from storage.enums import Platform

NAME: str = Platform.CONSOLE.value
