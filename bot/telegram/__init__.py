"""The Telegram adapter: the python-telegram-bot Application, polling, and reply rendering.

Modules here import python-telegram-bot as ``telegram`` (an absolute import: this package is
``bot.telegram`` and never shadows it).
"""
