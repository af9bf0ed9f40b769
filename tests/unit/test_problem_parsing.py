"""Parsing of !incident link, !problem and !task arguments, and due dates against a given today (pure)."""

from datetime import date

import pytest

from redalert_core.domain.commands import ParseError, command_tail
from redalert_core.domain.links import LinkKind
from redalert_core.domain.problem_commands import (
    parse_link,
    parse_problem_incidents,
    parse_problem_open,
    parse_problem_status,
    parse_task_add,
    parse_task_assign,
    parse_task_done,
    parse_task_list,
    parse_unlink,
    problem_number,
    task_number,
)
from redalert_core.domain.problems import ProblemStatus
from redalert_core.domain.tasks import parse_due

TODAY = date(2030, 6, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2030-06-10", date(2030, 6, 10)),
        ("2030-12-24", date(2030, 12, 24)),
        ("in 3d", date(2030, 6, 13)),
        ("in 0d", TODAY),
        ("IN 2 days", date(2030, 6, 12)),
        ("in 1 day", date(2030, 6, 11)),
    ],
)
def test_due_dates(text, expected):
    assert parse_due(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2030-06-09", "is in the past"),
        ("tomorrow", "I could not read the due date"),
        ("2030-13-01", "is not a real date"),
        ("in -1d", "I could not read the due date"),
        ("in 4000d", "too far"),
        ("06/12/2030", "I could not read the due date"),
    ],
)
def test_bad_due_dates(text, message):
    with pytest.raises(ParseError, match=message):
        parse_due(text, TODAY)


def test_identifiers_are_case_insensitive_and_the_letter_optional_where_unambiguous():
    assert problem_number("P3") == problem_number("p3") == problem_number("3") == 3
    assert problem_number("3", bare=False) is None and problem_number("T3") is None
    assert task_number("T7") == task_number("t7") == task_number("7") == 7
    assert task_number("P7") is None


def test_link_arguments():
    assert (parse_link("9").number, parse_link("9").other, parse_link("9").kind) == (None, 9, LinkKind.RELATED)
    command = parse_link("12 #9 Caused-By")
    assert (command.number, command.other, command.kind) == (12, 9, LinkKind.CAUSED_BY)
    assert parse_link("12 9 duplicate").kind == LinkKind.DUPLICATE
    assert (parse_unlink("12 9").number, parse_unlink("9").other) == (12, 9)
    for bad in ("", "x", "1 2 3", "1 2 related extra", "1 blocks"):
        with pytest.raises(ParseError):
            parse_link(bad)


def test_problem_arguments():
    opened = parse_problem_open("Disk fills up on db 3 hosts 12 #14")
    assert (opened.title, opened.incidents) == ("Disk fills up on db 3 hosts", [12, 14])
    assert parse_problem_open("12").title == "12"  # a title that is only a number stays a title
    assert parse_problem_incidents("P3 12 14", "u") == (3, [12, 14])
    with pytest.raises(ParseError):
        parse_problem_incidents("P3 12 14", "u", single=True)
    assert parse_problem_status("p3 Known-Error found it") == (3, ProblemStatus.KNOWN_ERROR, "found it")
    assert parse_problem_status("3 resolved") == (3, ProblemStatus.RESOLVED, None)


def test_task_add_arguments():
    add = parse_task_add("12 Add an alert <@U0ALICE> due in 3d", TODAY)
    assert (add.target.incident, add.text, add.owner, add.due) == (12, "Add an alert", "U0ALICE", date(2030, 6, 13))
    add = parse_task_add("P3 Fix rotation due 2030-07-01 <@U0BOB>", TODAY)
    assert (add.target.problem, add.text, add.owner, add.due) == (3, "Fix rotation", "U0BOB", date(2030, 7, 1))
    add = parse_task_add("Write the due diligence report", TODAY)
    assert (add.target.incident, add.target.problem, add.due) == (None, None, None)
    assert add.text == "Write the due diligence report"
    for bad, message in (
        ("Fix <!here>", "@here"),
        ("Fix @everyone", "@here"),
        ("Fix <!subteam^S1|@sre>", "user group"),
        ("Fix <@U1> <@U2>", "one owner"),
        ("Fix due yesterday", "could not read"),
        ("12", "Usage"),
    ):
        with pytest.raises(ParseError, match=message):
            parse_task_add(bad, TODAY)


def test_other_task_arguments():
    assert parse_task_done("t7 shipped it") == (7, "shipped it")
    assert parse_task_assign("T7 <@U0BOB>") == (7, "U0BOB")
    with pytest.raises(ParseError):
        parse_task_assign("T7 bob")
    assert parse_task_list("").kind == "default" and parse_task_list("MINE").kind == "mine"
    assert (parse_task_list("12").kind, parse_task_list("12").number) == ("incident", 12)
    assert (parse_task_list("p3").kind, parse_task_list("p3").number) == ("problem", 3)


def test_command_tail_keeps_the_markup():
    assert command_tail("!task add 12 Fix <@U0ALICE|alice>", "task", "add") == "12 Fix <@U0ALICE|alice>"
    assert command_tail("!incident link 3", "incident", "link") == "3"
    assert command_tail("hello", "task", "add") is None
