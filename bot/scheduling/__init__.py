"""Scheduling: check-ins placed in the user's day and the sweeper that runs them when due."""
