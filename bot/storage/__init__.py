"""Storage: the database and its migrations (today SQLite, `bot.storage.sqlite`)."""
