"""Queries and writes, one module per part of the domain; sessions are keyword-only."""
