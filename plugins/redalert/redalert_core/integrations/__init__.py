"""Clients of outside systems, one package each (base URLs and credentials from the environment)."""
