"""Charts of the incident metrics, drawn with matplotlib's Agg backend (no display): PNG for Slack, SVG for the web."""
