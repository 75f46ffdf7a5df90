"""The Teams edge: botbuilder CloudAdapter on aiohttp, Adaptive Cards, and proactive sending."""
