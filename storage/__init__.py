"""Persistence: SQLModel tables, async sessions, queries and migrations.

This layer imports nothing else of ours (see the import-linter contracts).
"""
