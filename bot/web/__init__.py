"""Pages our own web server renders (the reports behind signed links)."""
