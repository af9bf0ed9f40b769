"""Custom fields in the figures and the export (issue 22), through the real plugin and the Slack emulator:
`!incident stats 90d team=payments` counts only the incidents whose fields match (all of the filters; a
multi_select when its choices include the value), refuses an unknown field or option; `!incident export` has a
`field_<name>` column per field of the file in force, empty where unset."""

from __future__ import annotations

import csv
import io
import json

from analysis_support import file_text
from plugin_support import extra_config, extra_plugin_dir, loglevel, say, visible  # noqa: F401
from slack_workspace import ALICE

WORKFLOWS = """
fields:
  - name: team
    kind: select
    options: [payments, search, identity]
  - name: regions
    kind: multi_select
    options: [eu, us, apac]
  - name: impact
    kind: text
  - name: ticket
    kind: url
"""
OPENS = (
    "!incident open sev1 Checkout down team=payments regions=eu,us",
    "!incident open sev2 Search slow team=search regions=us",
    '!incident open sev2 Card fees wrong team=payments impact="=SUM(A1) fees 100% off"',
    "!incident open sev3 Login page flaky",
)


def open_all(testbot, dm: str) -> None:
    for number, command in enumerate(OPENS, start=1):
        assert f"Incident {number}" in say(testbot, command, user=ALICE, channel=dm)


def counted(reply: str) -> str:
    """`(…, team=payments): 2 (sev1 1, sev2 1)` from the first line of the figures."""
    first = visible(reply).splitlines()[0]
    return first[first.index("(") :]


def test_stats_count_only_the_incidents_whose_fields_match_every_filter(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    open_all(testbot, dm)
    everything = say(testbot, "!incident stats 90d", user=ALICE, channel=dm)
    assert visible(everything).splitlines()[0].endswith(": 4 (sev1 1, sev2 2, sev3 1)")
    reply = say(testbot, "!incident stats 90d team=payments", user=ALICE, channel=dm)
    assert counted(reply).endswith(", team=payments): 2 (sev1 1, sev2 1)"), reply
    reply = say(testbot, "!incident stats team=payments 90d regions=us", user=ALICE, channel=dm)
    assert counted(reply).endswith(", team=payments, regions=us): 1 (sev1 1)"), reply
    reply = say(testbot, "!incident stats regions=us 90d", user=ALICE, channel=dm)  # a multi_select: includes
    assert counted(reply).endswith(", regions=us): 2 (sev1 1, sev2 1)"), reply
    reply = say(testbot, '!incident stats 90d sev2 impact="=SUM(A1) fees 100% off"', user=ALICE, channel=dm)
    assert counted(reply).endswith(', sev2 only, impact="=SUM(A1) fees 100% off"): 1 (sev2 1)'), reply
    reply = say(testbot, "!incident stats 90d team=identity", user=ALICE, channel=dm)
    assert visible(reply).startswith("No incidents in 90d (") and "team=identity), so no chart." in visible(reply)


def test_stats_refuse_an_unknown_field_or_a_value_it_cannot_hold(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    open_all(testbot, dm)
    before = len(slack.files(dm))
    refusals = {
        "!incident stats 90d colour=red": '"colour" is not a field. Fields: team, regions, impact, ticket.',
        "!incident stats 90d team=billing": "team is one of payments, search, identity.",
        "!incident stats regions=eu,mars": "regions takes any of eu, us, apac, separated by commas.",
        "!incident stats ticket=nolink": "ticket is a link starting with http:// or https://.",
        '!incident stats team="payments': 'The value of team opens a quote that does not close: team="two words".',
    }
    for command, refusal in refusals.items():
        assert visible(say(testbot, command, user=ALICE, channel=dm)) == refusal, command
    assert len(slack.files(dm)) == before  # no chart for a refused question


def test_the_export_has_a_column_per_field_empty_where_unset(testbot, slack) -> None:
    dm = slack.open_dm(ALICE)
    open_all(testbot, dm)
    assert say(testbot, "!incident export csv 90d", user=ALICE, channel=dm).startswith("Exported 4 incident(s)")
    rows = list(csv.DictReader(io.StringIO(file_text(slack.files(dm)[-1]))))
    assert list(rows[0])[-5:] == ["tasks_done", "field_team", "field_regions", "field_impact", "field_ticket"]
    by_number = {row["number"]: row for row in rows}
    assert (by_number["1"]["field_team"], by_number["1"]["field_regions"]) == ("payments", "eu,us")
    assert by_number["3"]["field_impact"] == "'=SUM(A1) fees 100% off"  # a spreadsheet must not run it
    assert by_number["2"]["field_impact"] == "" and by_number["4"]["field_team"] == ""
    assert {row["field_ticket"] for row in rows} == {""}

    assert say(testbot, "!incident export json 90d", user=ALICE, channel=dm).startswith("Exported 4 incident(s)")
    items = {item["number"]: item for item in json.loads(file_text(slack.files(dm)[-1]))}
    assert items[1]["field_regions"] == "eu,us" and items[3]["field_impact"] == "=SUM(A1) fees 100% off"
    assert items[4]["field_team"] is None and items[2]["field_impact"] is None
    assert list(items[1])[-4:] == ["field_team", "field_regions", "field_impact", "field_ticket"]


def test_without_a_workflows_file_the_export_has_no_field_columns_and_stats_refuse_filters(
    testbot, slack, monkeypatch
) -> None:
    plugin = testbot.bot.plugin_manager.get_plugin_obj_by_name("RedAlert")
    monkeypatch.setattr(plugin.app.workflows, "path", None)  # as if REDALERT_WORKFLOWS_FILE were not set
    dm = slack.open_dm(ALICE)
    assert "Incident 1" in say(testbot, "!incident open sev2 Disk ratio=3", user=ALICE, channel=dm)
    say(testbot, "!incident export csv 90d", user=ALICE, channel=dm)
    header = file_text(slack.files(dm)[-1]).splitlines()[0]
    assert header.endswith(",tasks_open,tasks_done") and "field_" not in header
    assert visible(say(testbot, "!incident stats team=payments", user=ALICE, channel=dm)) == (
        '"team" is not a field: the workflows file in force (REDALERT_WORKFLOWS_FILE) has none.'
    )
