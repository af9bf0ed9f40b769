"""Front ends besides the chat commands (plugins/redalert/chat_commands): Slack interactivity (`/incident`, buttons,
forms) and the texts both chat and interactivity answer with. A front end builds a Requester, calls one method of
the application (redalert_core/application) and renders what it returns."""
