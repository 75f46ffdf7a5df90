"""Scheduler: jobs, policy, calendar and the outbox dispatcher. Imports handlers and storage."""
