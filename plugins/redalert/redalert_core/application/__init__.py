"""The application layer: one object, built once, with one method per use case (see app.py and bootstrap.py)."""
