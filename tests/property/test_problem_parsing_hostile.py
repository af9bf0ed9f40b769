"""Property-based tests: hostile text given to the !incident link, !problem and !task parsers.

Each parser either returns a bounded, well-formed result or raises ParseError (the user's one clear reply); nothing
else escapes, and no result carries Slack markup that could ping or break out. Derandomised: the same inputs on
every machine.
"""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redalert_core.domain import problem_commands as parse
from redalert_core.domain.commands import ParseError
from redalert_core.domain.text import escape

TODAY = date(2030, 6, 10)
FRAGMENTS = [
    "<@U0ALICE>",
    "<@U0ALICE|alice>",
    "<!subteam^S0SRE|@sre>",
    "<!here>",
    "<!channel>",
    "@here",
    "<#C0OPS|ops>",
    "<https://example.com|x>",
    "due",
    "due in 3d",
    "due 2030-06-12",
    "due 2020-01-01",
    "due in 99999d",
    "P3",
    "p0",
    "T7",
    "#12",
    "12",
    "0",
    "99999999999",
    "caused-by",
    "duplicate",
    "known-error",
    "\u202e",
    "\u200b",
    "\x00",
    "&lt;",
]
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=12).map(" ".join)
SETTINGS = settings(
    max_examples=300, derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _clean(text: str) -> None:
    """Stored text is what people typed; shown through escape() it can neither ping nor carry markup."""
    shown = escape(text)
    assert "<" not in shown and ">" not in shown, text
    assert "@here" not in shown.lower() and "@channel" not in shown.lower(), text
    assert "\x00" not in text


@SETTINGS
@given(TEXT)
def test_task_add(text):
    try:
        command = parse.parse_task_add(text, TODAY)
    except ParseError:
        return
    _clean(command.text)
    assert 0 < len(command.text) <= parse.MAX_TASK_TEXT
    assert command.due is None or command.due >= TODAY
    assert command.owner is None or command.owner.startswith(("U", "W"))


@SETTINGS
@given(TEXT)
def test_problem_commands(text):
    for run in (
        lambda: parse.parse_problem_open(text).title,
        lambda: parse.parse_problem_text(text, "cause")[1],
        lambda: parse.parse_problem_status(text)[2] or "",
    ):
        try:
            result = run()
        except ParseError:
            continue
        _clean(result)


@SETTINGS
@given(TEXT)
def test_links_and_lists(text):
    for run in (
        lambda: parse.parse_link(text),
        lambda: parse.parse_unlink(text),
        lambda: parse.parse_task_list(text),
        lambda: parse.parse_task_due(text, TODAY),
        lambda: parse.parse_task_assign(text),
        lambda: parse.parse_task_done(text),
    ):
        try:
            run()
        except ParseError:
            continue
