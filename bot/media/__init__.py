"""Attachments as bytes: the roadmap and comparison pictures and the calendar file."""
