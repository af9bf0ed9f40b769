"""The read-only web report: server-rendered HTML pages (no JavaScript), every user text escaped."""
