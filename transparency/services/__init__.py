"""Writes for transparency: updates (updates.py), subscriptions and the fan-out (their owners)."""
