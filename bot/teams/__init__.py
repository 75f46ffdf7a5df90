"""The Teams edge: botbuilder's CloudAdapter on aiohttp, Adaptive Cards, proactive sending."""

from storage.enums import Platform

NAME: str = Platform.TEAMS.value
