"""The agency's side: counselor handoffs, admin commands, the figures and their notices."""
