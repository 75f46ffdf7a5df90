"""Handlers: the conversations, over neutral types. Imports storage only."""
