"""Data protection: what is held about one person (subject access), erasure, retention and
the audit listing. SQL lives here; the CLI (bot/cli/privacy_cmd.py, audit_cmd.py) and the
scheduler's daily retention job call in."""
