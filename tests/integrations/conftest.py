"""Outside-system tests: the services wired to the Slack emulator and the outside emulators, on a manual clock."""
