"""Watching the bot itself: Prometheus metrics, health over HTTP and structured logs (an adapter layer)."""
