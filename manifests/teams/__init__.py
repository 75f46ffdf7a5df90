"""The Microsoft Teams app manifest template and its icons (package data)."""
