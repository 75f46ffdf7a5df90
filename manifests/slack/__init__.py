"""The Slack app manifest template (package data: manifest.json)."""
