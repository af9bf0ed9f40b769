"""The sandbox's Jira: the Jira Cloud emulator, its webhook pointed at the bot's HTTP API, and `/jira` steps that
show an issue or change it as a person in Jira would (the change comes back to Slack through the signed webhook).

    /jira show [<status>]     the latest issue (waiting for it, and for that status when given)
    /jira done|reopen         the sandbox user, as themself in Jira, moves the latest issue to Done / In Progress
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ports import free_port

from outside_emulators import Issue, JiraEmulator

JIRA_EMAIL, JIRA_TOKEN, JIRA_SECRET = "redalert@example.com", "sandbox-jira-token", "sandbox-jira-webhook-secret"
MOVES = {"done": ("done", "Done"), "reopen": ("indeterminate", "In Progress")}
WAIT_SECONDS = 30


@dataclass
class SandboxJira:
    emulator: JiraEmulator
    web_port: int
    accounts: dict[str, str] = field(default_factory=dict)  # sandbox user name -> their Jira accountId

    @classmethod
    def start(cls, users: dict[str, str]) -> SandboxJira:
        jira = cls(JiraEmulator(email=JIRA_EMAIL, api_token=JIRA_TOKEN, projects=("OPS",)).start(), free_port())
        for name in users:
            jira.accounts[name] = jira.emulator.add_user(f"{name.capitalize()} Jira", f"{name}@jira.example.com")
        hook = f"http://127.0.0.1:{jira.web_port}/redalert/api/v1/hooks/jira"
        jira.emulator.register_webhook(hook, JIRA_SECRET)
        return jira

    def env(self) -> dict[str, str]:
        return {
            "JIRA_URL": self.emulator.url,
            "JIRA_EMAIL": JIRA_EMAIL,
            "JIRA_API_TOKEN": JIRA_TOKEN,
            "JIRA_WEBHOOK_SECRET": JIRA_SECRET,
            "REDALERT_WEB_PORT": str(self.web_port),  # the HTTP API, where Jira's webhooks arrive
            "REDALERT_WEB_HOST": "127.0.0.1",
        }

    def config(self, users: dict[str, str]) -> str:
        mapped = ", ".join(f"'{users[name]}': '{account}'" for name, account in self.accounts.items())
        return f"'JIRA_PROJECT_KEY': 'OPS', 'JIRA_USERS': {{{mapped}}}"

    def latest(self) -> Issue | None:
        issues = self.emulator.issues
        return issues[max(issues, key=lambda key: int(key.rsplit("-", 1)[1]))] if issues else None

    def assignee(self, issue: Issue) -> str | None:
        account = issue.fields.get("assignee")
        return self.emulator.users[account].displayName if account else None

    def describe(self, issue: Issue) -> str:
        assignee = self.assignee(issue) or "none"
        labels = ", ".join(issue.fields.get("labels") or [])
        return f"[Jira] {issue.key} {issue.fields['summary']!r} · {issue.status_name} · assignee {assignee} · {labels}"

    def step(
        self, user: str, words: list[str], count: Callable[[str], int], said: Callable[[str, int], list[str]]
    ) -> list[str]:
        """One `/jira` step's transcript. `count(needle)`: how many of the bot's messages in the incident channel
        contain `needle`; `said(needle, more_than)` waits until more do and returns the bot's lines not shown yet."""
        action = words[0] if words else "show"
        if action == "show":
            wanted = " ".join(words[1:])

            def shown() -> Issue | None:
                found = self.latest()
                return found if found is not None and (not wanted or found.status_name == wanted) else None

            issue = self.emulator.wait_for(shown, timeout=WAIT_SECONDS)
            return [self.describe(issue), *said("Jira issue for task", 0)]
        if action not in MOVES or user not in self.accounts:
            raise SystemExit("/jira show [<status>] | /jira done | /jira reopen")
        issue = self.latest()
        if issue is None:
            raise SystemExit("no Jira issue yet: add a task in an incident channel")
        category, status = MOVES[action]
        before = count("in Jira by")
        self.emulator.transition_as(issue.key, category, self.accounts[user])
        return [f"[Jira] {user.capitalize()} Jira moves {issue.key} to {status}", *said("in Jira by", before)]

    def report(self) -> list[str]:
        lines = []
        for issue in self.emulator.issues.values():
            who = f", assignee {self.assignee(issue)}" if self.assignee(issue) else ""
            lines.append(f"  Jira: issue {issue.key} {issue.fields['summary']!r} ({issue.status_name}{who})")
        return lines

    def stop(self) -> None:
        self.emulator.stop()
