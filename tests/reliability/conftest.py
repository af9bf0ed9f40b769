"""Reliability tests drive the incident service directly against the Slack emulator (no Errbot in between)."""
