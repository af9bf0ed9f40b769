"""RedAlert's incident logic, kept free of Errbot and slack_sdk imports except in the gateway."""
