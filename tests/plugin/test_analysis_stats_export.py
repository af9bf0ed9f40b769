"""`!incident stats` and `!incident export` on the hand-built history, through Errbot and the Slack emulator."""

from __future__ import annotations

import csv
import io
import json

import analysis_history as history
from analysis_support import file_text, with_history
from plugin_support import eventually, extra_config, extra_plugin_dir, loglevel, say  # noqa: F401
from slack_workspace import ADMIN, ALICE, CAROL


def test_stats_in_a_dm_answers_with_figures_and_uploads_a_png_chart(testbot, slack):
    with_history(testbot)
    dm = slack.open_dm(ADMIN)
    reply = say(testbot, f"!incident stats {history.PERIOD}", channel=dm)
    lines = reply.splitlines()
    assert lines[0] == (
        f"Incidents in {history.PERIOD} (2026-02-02 to 2026-02-15): 6 (sev1 2, sev2 3, sev4 1)"
    )  # the admin sees the private incident in a DM
    assert "Time to acknowledge: median 15m, p90 26m, mean 16m (1 not acknowledged)" in reply
    assert "Time to resolve: median 1h 15m, p90 3h 15m, mean 1h 48m (2 not resolved yet)" in reply
    assert "Open at the end of the period: 2; severity changed after opening: 1" in reply
    assert "Tasks opened: 2, done: 1" in reply and "P1 flaky database (2)" in reply
    eventually(lambda: len(slack.files(dm)) == 1)
    [upload] = slack.files(dm)
    assert upload["filename"] == "incidents-2026-02-02_2026-02-15.png"
    assert upload["content"][:8] == b"\x89PNG\r\n\x1a\n"


def test_stats_leave_private_incidents_out_for_non_members(testbot, slack):
    with_history(testbot)
    ops = slack.add_channel("ops-metrics", members=[CAROL, slack.bot_user_id])
    reply = say(testbot, f"!incident stats sev2 {history.PERIOD}", user=CAROL, channel=ops)
    assert reply.startswith(f"Incidents in {history.PERIOD} (2026-02-02 to 2026-02-15, sev2 only): 2 (sev2 2)")
    eventually(lambda: len(slack.files(ops)) == 1)


def test_stats_of_an_empty_period_say_so_without_a_chart(testbot, slack):
    with_history(testbot)
    dm = slack.open_dm(ADMIN)
    reply = say(testbot, f"!incident stats {history.EMPTY_PERIOD}", channel=dm)
    assert reply == (
        f"No incidents in {history.EMPTY_PERIOD} (2025-01-01 to 2025-01-31), so no chart. Open incidents at its end: 0."
    )
    assert slack.files(dm) == []


def test_stats_refuse_bad_words_and_change_nothing(testbot, slack):
    with_history(testbot)
    dm = slack.open_dm(ADMIN)
    reply = say(testbot, "!incident stats 14d", channel=dm)
    assert reply.startswith('"14d" is neither a period (7d, 30d, 90d, 365d, all or YYYY-MM-DD..YYYY-MM-DD)')
    assert "nor a severity (sev1, sev2, sev3, sev4, sev5)" in reply
    assert say(testbot, "!incident stats 2026-02-30..2026-03-01", channel=dm).startswith(
        '"2026-02-30..2026-03-01" is not'
    )
    assert "@\u2060here" in say(testbot, "!incident stats @here", channel=dm)
    assert slack.files(dm) == []


def test_export_csv_in_a_dm_has_the_contract_columns_and_private_rows_for_members(testbot, slack):
    with_history(testbot)
    dm = slack.open_dm(ALICE)
    reply = say(testbot, f"!incident export csv {history.PERIOD}", user=ALICE, channel=dm)
    assert reply == "Exported 6 incident(s) opened 2026-02-02 to 2026-02-15 as CSV."
    [upload] = slack.files(dm)
    rows = list(csv.DictReader(io.StringIO(file_text(upload))))
    assert list(rows[0]) == [
        "number", "severity", "status", "description", "channel", "private", "opened_at", "opened_by", "commander",
        "acknowledged_at", "resolved_at", "closed_at", "closed_by", "resolution", "tta_seconds", "ttr_seconds",
        "problem", "tasks_open", "tasks_done",
    ]  # fmt: skip
    by_number = {row["number"]: row for row in rows}
    assert sorted(by_number, key=int) == ["2", "3", "4", "5", "6", "8"]
    assert by_number["6"]["private"] == "true"
    three = by_number["3"]
    assert three["opened_at"] == "2026-02-03T09:00:00Z" and three["acknowledged_at"] == "2026-02-03T09:05:00Z"
    assert (three["tta_seconds"], three["ttr_seconds"], three["tasks_open"]) == ("300", "5400", "1")
    assert by_number["2"]["problem"] == "1" and by_number["2"]["tasks_done"] == "1"
    assert by_number["4"]["commander"] == CAROL and by_number["5"]["closed_at"] == ""


def test_export_json_shows_private_incidents_to_members_and_admins_only(testbot, slack):
    with_history(testbot)
    dm = slack.open_dm(CAROL)
    reply = say(testbot, f"!incident export json {history.PERIOD}", user=CAROL, channel=dm)
    assert reply == "Exported 5 incident(s) opened 2026-02-02 to 2026-02-15 as JSON."
    items = json.loads(file_text(slack.files(dm)[0]))
    assert [item["number"] for item in items] == [2, 3, 4, 5, 8]
    assert items[0]["resolved_at"] == "2026-02-02T11:00:00Z" and items[0]["ttr_seconds"] == 3600
    ops = slack.add_channel("ops-export", members=[ADMIN, slack.bot_user_id])
    reply = say(testbot, f"!incident export {history.PERIOD}", channel=ops)  # everyone in ops reads it: not even
    assert reply.startswith("Exported 5 incident(s)")  # an admin's export there has the private incident
    assert "secret breach" not in file_text(slack.files(ops)[0])
    admin_dm = slack.open_dm(ADMIN)
    assert say(testbot, f"!incident export {history.PERIOD}", channel=admin_dm).startswith("Exported 6 incident(s)")
    assert "secret breach" in file_text(slack.files(admin_dm)[0])
    assert say(testbot, "!incident export xml", channel=ops).startswith('"xml" is neither a format (csv, json)')


def test_a_period_outside_1970_to_2100_is_refused_clearly(testbot, slack):
    with_history(testbot)
    dm = slack.open_dm(ADMIN)
    for period in ("9999-12-31..9999-12-31", "1969-12-25..1970-01-05", "2100-12-01..2101-01-01"):
        reply = say(testbot, f"!incident stats {period}", channel=dm)
        assert reply == (f"The period {period} is outside 1970–2100: use dates from 1970-01-01 to 2100-12-31."), reply
        assert say(testbot, f"!incident export {period}", channel=dm) == reply
    assert slack.files(dm) == []
