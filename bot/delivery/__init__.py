"""Delivery: the outbox sender, within Telegram's limits."""
