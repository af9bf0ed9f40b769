"""REDALERT_WORKFLOWS_FILE through the application: loaded at start, reloaded by admins only, shown to anyone; a file
with faults changes nothing; another replica's reload is seen after the refresh."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from slack_workspace import ADMIN, ALICE, BOT_TOKEN

from redalert_core.application.bootstrap import AppConfig, build
from redalert_core.application.errors import ServiceError
from redalert_core.domain.requester import Requester
from redalert_core.services.workflows import WorkflowsRefused
from redalert_core.slack.gateway import build_client

SAMPLE = (Path(__file__).resolve().parents[2] / "deploy" / "workflows.yaml").read_text()
WORKFLOWS = SAMPLE  # REDALERT_WORKFLOWS_FILE (tests/workflow_files.py)
ADMIN_ASKS = Requester(ADMIN, here="D0ADMIN", is_admin=True)


def test_loaded_at_start_and_shown(app) -> None:
    shown = app.show_workflows(Requester(ALICE))
    assert shown.stored is not None and shown.stored.loaded_by == "start"
    assert shown.stored.digest == shown.file.digest and len(shown.file.digest) == 64
    assert [kind.name for kind in shown.file.types] == ["outage", "security"]
    assert [flow.name for flow in shown.file.workflows] == ["sev1-heads-up", "payments-oncall", "nudge"]


def test_reload_is_for_admins_and_records_who(app, workflows_file) -> None:
    with pytest.raises(ServiceError, match="Only RedAlert admins"):
        app.reload_workflows(Requester(ALICE))
    same = app.reload_workflows(ADMIN_ASKS)
    assert same.changed is False and same.stored.loaded_by == "start"  # the same text: still the start's version

    Path(workflows_file).write_text(SAMPLE.replace("name: nudge", "name: nudge-often"))
    app.clock.advance(timedelta(minutes=1))
    reloaded = app.reload_workflows(ADMIN_ASKS)
    assert reloaded.changed is True
    assert (reloaded.stored.loaded_by, reloaded.stored.loaded_at) == (ADMIN, app.clock())
    assert app.show_workflows(Requester(ALICE)).file.workflows[-1].name == "nudge-often"


def test_a_file_with_faults_changes_nothing(app, workflows_file) -> None:
    before = app.show_workflows(Requester(ALICE))
    Path(workflows_file).write_text("types:\n  - name: outage\n    private: maybe\nworkflows: 3\n")
    with pytest.raises(WorkflowsRefused) as refused:
        app.reload_workflows(ADMIN_ASKS)
    assert [str(fault) for fault in refused.value.faults] == [
        'line 3, column 14: type "outage": private must be true or false, not "maybe".',
        "line 4, column 12: workflows must be a list, not the number 3.",
    ]
    assert "2 faults; nothing changed" in str(refused.value)
    after = app.show_workflows(Requester(ALICE))
    assert after.stored == before.stored and after.file == before.file


def test_a_bad_file_at_start_is_logged_and_not_loaded(app, emulator, tmp_path, caplog) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("workflows:\n  - name: x\n    when: sometimes\n    do: []\n")
    config = AppConfig(
        database_url=f"sqlite:///{tmp_path / 'other.sqlite3'}",
        slack_client=lambda: build_client(BOT_TOKEN, emulator.api_url),
        settings=lambda: app.settings,
        clock=app.clock,
        workflows_file=str(bad),
    )
    with caplog.at_level(logging.ERROR, logger="redalert_core.services.workflows"):
        other = build(config)
    try:
        assert "line 3, column 11" in caplog.text and "was not loaded" in caplog.text
        shown = other.show_workflows(Requester(ALICE))
        assert shown.stored is None and shown.file.types == () and shown.file.workflows == ()
    finally:
        other.incidents.shutdown()
        other.store.dispose()


def test_another_replicas_reload_is_seen_after_the_refresh(app, workflows_file) -> None:
    newer = SAMPLE.replace("name: nudge", "name: nudge-later")
    app.store.workflow_files.activate("f" * 64, newer, ADMIN, app.clock())  # as another replica's reload writes it
    assert app.workflows_file().workflows[-1].name == "nudge"  # this replica's copy is fresh for a few seconds
    app.clock.advance(timedelta(seconds=6))
    assert app.workflows_file().workflows[-1].name == "nudge-later"
    assert app.show_workflows(Requester(ALICE)).file.digest == "f" * 64


def test_the_checker_runs_the_loader_before_a_file_is_loaded(tmp_path, capsys) -> None:
    from redalert_core.application.check_workflows import main

    assert main([str(Path(__file__).resolve().parents[2] / "deploy" / "workflows.yaml")]) == 0
    assert "loads (2 types, 5 fields, 3 workflows)" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("types:\n  - name: outage\n    severity: sev9\n")
    assert main([str(bad)]) == 1
    assert (
        capsys.readouterr().out
        == f'{bad}:3:15: type "outage": severity "sev9" is not one of sev1, sev2, sev3, sev4, sev5.\n'
    )
    assert main([str(tmp_path / "missing.yaml")]) == 2


def test_the_checker_tries_a_trigger_on_a_made_up_incident_without_loading_the_file(tmp_path, capsys) -> None:
    from redalert_core.application.check_workflows import main

    sample = str(Path(__file__).resolve().parents[2] / "deploy" / "workflows.yaml")
    assert main([sample, "--try", "opened", "severity=sev1", "type=outage", "team=payments"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines == [
        "Workflow sev1-heads-up (when opened):",
        "  • would post: Heads-up for incident 1 (sev1): A test incident",
        "Workflow payments-oncall (when opened):",
        "  • would invite the on-call of PPAYMNT",
        "  • would add the task “Tell the payments partners about incident 1” for the communications, due in 30m",
    ]
    assert main([sample, "--try", "opened", "severity=sev2", "type=security", "team=payments"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["No workflow would fire when opened."]
    assert main([sample, "--try", "quiet", "number=7"]) == 0
    assert "  • would remind the commander: Incident 7 has had no update" in capsys.readouterr().out

    changed = tmp_path / "changed.yaml"
    changed.write_text(
        "fields:\n  - {name: team, kind: select, options: [payments]}\n  - {name: impact, kind: text}\nworkflows:\n"
        "  - {name: on-team, when: field_changed, field: team, do: [post: 'team is {field.team}']}\n"
    )
    assert main([str(changed), "--try", "field_changed", "team=payments"]) == 0
    assert "  • would post: team is payments" in capsys.readouterr().out
    assert main([str(changed), "--try", "field_changed", "field=impact", "impact=EU"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["No workflow would fire when field_changed."]
    assert main([str(changed), "--try", "opened", "colour=red"]) == 2
    assert 'unknown key "colour"' in capsys.readouterr().err
    assert main([str(changed), "--try", "reopened"]) == 2
    assert '"reopened" is not a trigger' in capsys.readouterr().err
