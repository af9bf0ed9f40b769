"""REDALERT_WORKFLOWS_FILE's loader: the issue's example loads as typed values; every fault names its line and
column (1-based); a file with faults builds nothing."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from redalert_core.domain.workflow_file import WorkflowsFileError, digest, parse_workflows
from redalert_core.domain.workflow_model import (
    AssignRoleAction,
    BookmarkAction,
    Condition,
    FieldKind,
    InviteAction,
    Oncall,
    PageAction,
    PostAction,
    RemindAction,
    Required,
    SetFieldAction,
    TaskAction,
    Trigger,
    WebhookAction,
)
from redalert_core.domain.workflow_values import Known

ISSUE_EXAMPLE = """\
types:                      # a list; the first word of `!incident open` may name one
  - name: outage
    description: Customers cannot use something that should work
    private: false
    oncall:                 # who is on call now gets invited (PagerDuty ids)
      escalation_policies: [PABC123]
      schedules: []
  - name: security
    description: Suspected breach, abuse or leaked secret
    private: true
    invite: [U012AB3CD]     # Slack user ids; user groups as S… ids
fields:                     # a list; `kind`: select, multi_select, text, number, user, url
  - name: team
    kind: select
    options: [payments, search, identity]
    required: open          # or close; omitted: optional
  - name: impact
    kind: text
    required: close
workflows:                  # a list, run in order
  - name: sev1-heads-up
    when: opened            # opened, status_changed, severity_changed, field_changed, type_changed, closed, quiet
    if:                     # keys: type, severity, status, field.<name>; a list means any of
      severity: sev1
    do:                     # each action is a one-key mapping
      - post: "Heads-up for incident {number} ({severity}): {description}"
  - name: nudge
    when: opened
    after: 1m               # durations: 30s, 5m, 1h
    do:
      - post: "Incident {number} has been open a minute: time for an update"
"""
KNOWN = Known(
    severities=frozenset({"sev1", "sev2", "sev3"}),
    statuses=frozenset({"investigating", "identified", "monitoring", "resolved"}),
    roles=frozenset({"commander", "communications", "scribe"}),
    webhooks=frozenset({"audit"}),
)


def faults_of(text: str, known: Known = KNOWN) -> list[str]:
    with pytest.raises(WorkflowsFileError) as raised:
        parse_workflows(textwrap.dedent(text), known)
    return [str(fault) for fault in raised.value.faults]


def test_the_issues_example_loads_as_typed_values() -> None:
    loaded = parse_workflows(ISSUE_EXAMPLE, KNOWN)
    assert loaded.digest == digest(ISSUE_EXAMPLE) and len(loaded.digest) == 64
    outage, security = loaded.types
    assert (outage.name, outage.private, outage.oncall) == ("outage", False, Oncall(("PABC123",), ()))
    assert (security.private, security.invite_users, security.oncall) == (True, ("U012AB3CD",), None)
    team, impact = loaded.fields
    assert (team.kind, team.options, team.required) == (
        FieldKind.SELECT,
        ("payments", "search", "identity"),
        Required.OPEN,
    )
    assert (impact.kind, impact.required, impact.applies_to("security")) == (FieldKind.TEXT, Required.CLOSE, True)
    heads_up, nudge = loaded.workflows
    assert heads_up.when == Trigger.OPENED and heads_up.conditions == (Condition("severity", ("sev1",)),)
    assert heads_up.actions == (PostAction("Heads-up for incident {number} ({severity}): {description}"),)
    assert nudge.after == timedelta(minutes=1)
    assert loaded.type_named("security") is security and loaded.default_type() is outage


def test_the_sample_under_deploy_loads() -> None:
    sample = Path(__file__).resolve().parents[2] / "deploy" / "workflows.yaml"
    loaded = parse_workflows(sample.read_text(), KNOWN)
    assert [kind.name for kind in loaded.types] == ["outage", "security"]
    assert len(loaded.workflows) == 3


def test_empty_text_and_empty_sections_are_an_empty_file() -> None:
    assert parse_workflows("").types == ()
    assert parse_workflows("types:\nfields: []\nworkflows:\n").workflows == ()


def test_a_syntax_error_names_its_position() -> None:
    assert faults_of("types:\n  - name: outage\n    private: [true\n") == [
        "line 4, column 1: not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_every_fault_is_reported_with_line_and_column_in_order() -> None:
    faults = faults_of(
        """\
        types:
          - name: outage
            private: maybe
            severity: sev9
          - name: Outage!
        fields:
          - name: team
            kind: dropdown
          - name: region
            kind: select
            types: [outage, nothere]
        workflows:
          - name: w1
            when: opened
            after: 10 minutes
            do:
              - shout: hi
          - name: w2
            when: quiet
            do:
              - post: "{number} {nope}"
        colour: red
        """
    )
    assert faults == [
        'line 3, column 14: type "outage": private must be true or false, not "maybe".',
        'line 4, column 15: type "outage": severity "sev9" is not one of sev1, sev2, sev3.',
        "line 5, column 11: types item 2: name must be a name of 1-30 characters a-z, 0-9, - or _ starting with "
        'a letter, not "Outage!".',
        'line 8, column 11: field "team": kind must be one of multi_select, number, select, text, url, user, '
        'not "dropdown".',
        'line 9, column 5: field "region": a select field needs options.',
        "line 11, column 21: field \"region\": types names 'nothere', which is not a type of this file.",
        'line 15, column 12: workflow "w1": after must be a duration like 30s, 5m or 1h, not "10 minutes".',
        'line 17, column 9: workflow "w1": do item 1: unknown action "shout" (known: invite, post, page, task, '
        "set_field, assign_role, remind, webhook, bookmark).",
        'line 19, column 11: workflow "w2": when: quiet needs after: (how long without an update, like 30m).',
        'line 21, column 15: workflow "w2": do item 1 (post): unknown placeholder "{nope}" (known: {number}, '
        "{severity}, {type}, {status}, {description}, {channel}, {field.<name>}).",
        'line 22, column 1: The file: unknown key "colour" (known: types, fields, workflows).',
    ]


def test_repeated_keys_and_names_are_faults() -> None:
    assert faults_of("types:\n  - name: a\n    name: b\n  - name: a\n") == [
        'line 3, column 5: types item 1: the key "name" appears twice.',
        'line 4, column 5: types: the name "a" is used twice.',
    ]


def test_a_field_may_not_be_called_type() -> None:
    assert faults_of("fields:\n  - name: type\n    kind: text\n") == [
        'line 2, column 11: fields item 1: "type" is the incident\'s type, not a field name; choose another.'
    ]


def test_a_type_may_not_take_a_word_open_reads() -> None:
    assert faults_of("types:\n  - name: sev1\n  - name: private\n") == [
        'line 2, column 11: type "sev1": the name is a word `!incident open` reads itself; pick another.',
        'line 3, column 11: type "private": the name is a word `!incident open` reads itself; pick another.',
    ]


def test_shapes_of_sections_and_invites() -> None:
    assert faults_of("types: {name: a}\nfields: 3\n") == [
        "line 1, column 8: types must be a list, not a mapping.",
        "line 2, column 9: fields must be a list, not the number 3.",
    ]
    assert faults_of("types:\n  - name: a\n    invite: [alice]\n    oncall: {schedules: [p-1]}\n") == [
        "line 3, column 14: type \"a\": invite takes Slack user ids (U…, W…) and user group ids (S…), not 'alice'.",
        'line 4, column 26: type "a": oncall: schedules item must be a PagerDuty id like PABC123, not "p-1".',
    ]


def test_field_options_only_for_choices_and_required_is_open_or_close() -> None:
    assert faults_of("fields:\n  - name: n\n    kind: number\n    options: [1]\n    required: always\n") == [
        'line 4, column 14: field "n": options are only for the kinds select and multi_select.',
        'line 5, column 15: field "n": required must be one of close, open, not "always".',
    ]


ALL_ACTIONS = """\
fields:
  - {name: team, kind: select, options: [payments, search]}
  - {name: doc, kind: url}
workflows:
  - name: everything
    when: field_changed
    if: {field.team: [payments], status: investigating}
    do:
      - invite: [U1AAA, S1BBB]
      - invite: {oncall: {escalation_policies: [PABC123]}}
      - post: "{field.team} {channel}"
      - page:
      - page: {summary: "Incident {number}"}
      - task: "Check {field.team}"
      - task: {text: Write notice, owner: communications, due: 1h}
      - set_field: {field: team, value: search}
      - assign_role: {role: commander, user: U1AAA}
      - remind: {role: scribe, text: "Write down {status}"}
      - webhook: audit
      - bookmark: {title: Runbook, link: "https://runbooks.example/{field.team}"}
      - bookmark: {title: Doc, link: "{field.doc}"}
"""


def test_every_action_parses_into_its_type() -> None:
    [flow] = parse_workflows(ALL_ACTIONS, KNOWN).workflows
    assert flow.conditions == (Condition("field.team", ("payments",)), Condition("status", ("investigating",)))
    assert flow.actions == (
        InviteAction(users=("U1AAA",), groups=("S1BBB",)),
        InviteAction(oncall=Oncall(escalation_policies=("PABC123",))),
        PostAction("{field.team} {channel}"),
        PageAction(),
        PageAction(summary="Incident {number}"),
        TaskAction("Check {field.team}"),
        TaskAction("Write notice", owner_role="communications", due=timedelta(hours=1)),
        SetFieldAction("team", "search"),
        AssignRoleAction("commander", "U1AAA"),
        RemindAction("scribe", "Write down {status}"),
        WebhookAction("audit"),
        BookmarkAction("Runbook", "https://runbooks.example/{field.team}"),
        BookmarkAction("Doc", "{field.doc}"),
    )


def test_action_arguments_are_checked() -> None:
    faults = faults_of(
        """\
        fields:
          - {name: team, kind: select, options: [payments]}
        workflows:
          - name: bad
            when: opened
            if: {field.team: search, field.nope: x, colour: red}
            do:
              - {post: a, page: b}
              - set_field: {field: team, value: search}
              - assign_role: {role: boss, user: alice}
              - remind: {role: scribe}
              - webhook: nothook
              - bookmark: {title: x, link: "javascript:alert(1)"}
              - task: {text: x, due: 2d}
              - invite: {}
        """
    )
    assert faults == [
        'line 6, column 22: workflow "bad": if: field.team "search" is not one of payments.',
        'line 6, column 30: workflow "bad": if: "field.nope" names no field of this file.',
        'line 6, column 45: workflow "bad": if: unknown key "colour" (known: type, severity, status, field.<name>).',
        'line 8, column 9: workflow "bad": do item 1 must be one action, a mapping of one key like `- post: "…"`.',
        'line 9, column 41: workflow "bad": do item 2 (set_field): "search" is not an option of team (payments).',
        'line 10, column 29: workflow "bad": do item 3 (assign_role): role "boss" is not one of commander, '
        "communications, scribe.",
        'line 10, column 41: workflow "bad": do item 3 (assign_role): user must be a Slack user id (U…), not "alice".',
        'line 11, column 17: workflow "bad": do item 4 (remind) needs text.',
        'line 12, column 18: workflow "bad": do item 5 (webhook): the webhook "nothook" is not one of audit.',
        'line 13, column 36: workflow "bad": do item 6 (bookmark): link must start with http:// or https:// (or be '
        "a url field).",
        'line 14, column 30: workflow "bad": do item 7 (task): due must be a duration like 30s, 5m or 1h, not "2d".',
        'line 15, column 17: workflow "bad": do item 8 (invite) names nobody to invite.',
    ]


def test_without_known_names_the_configuration_is_not_checked() -> None:
    text = "types:\n  - {name: a, severity: p1}\nworkflows:\n"
    text += "  - {name: w, when: opened, if: {status: x}, do: [webhook: y]}\n"
    assert parse_workflows(text).types[0].severity == "p1"


def test_field_restricts_field_changed_to_the_named_fields() -> None:
    text = """\
        fields:
          - {name: team, kind: select, options: [payments]}
          - {name: impact, kind: text}
        workflows:
          - {name: one, when: field_changed, field: team, do: [post: x]}
          - {name: two, when: field_changed, field: [team, impact], do: [post: x]}
          - {name: any, when: field_changed, do: [post: x]}
        """
    one, two, every = parse_workflows(textwrap.dedent(text), KNOWN).workflows
    assert (one.on_fields, two.on_fields, every.on_fields) == (("team",), ("team", "impact"), ())
    assert one.follows("team") and not one.follows("impact") and not one.follows(None)
    assert every.follows("impact") and every.follows(None)


def test_field_names_fields_of_the_file_and_only_for_field_changed() -> None:
    faults = faults_of(
        """\
        fields:
          - {name: team, kind: select, options: [payments]}
        workflows:
          - name: a
            when: field_changed
            field: [team, region, team]
            do: [post: x]
          - name: b
            when: opened
            field: team
            do: [post: x]
          - name: c
            when: field_changed
            field: []
            do: [post: x]
        """
    )
    assert faults == [
        'line 6, column 19: workflow "a": field: "region" is not a field of this file (fields: team).',
        'line 6, column 27: workflow "a": field: "team" is listed twice.',
        'line 10, column 12: workflow "b": field is only for when: field_changed (it names the fields whose change '
        "fires).",
        'line 14, column 12: workflow "c": field names no field.',
    ]


def test_the_docs_complete_example_is_the_sample_and_its_snippets_load() -> None:
    root = Path(__file__).resolve().parents[2]
    docs = (root / "docs" / "workflows.md").read_text()
    example = docs.split("## A complete example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    assert example == (root / "deploy" / "workflows.yaml").read_text()
    snippet = docs.split("**`field`**", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    fields = "fields:\n  - {name: team, kind: select, options: [payments, search]}\n"
    [flow] = parse_workflows(fields + "workflows:\n" + snippet, KNOWN).workflows
    assert flow.on_fields == ("team",) and flow.actions[-1] == WebhookAction("audit")
