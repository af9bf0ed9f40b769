"""The weekly chart: an opaque PNG (readable on Slack's dark and light themes), the same drawing as SVG."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from redalert_core.charts.weekly import BACKGROUND, weekly_chart
from redalert_core.domain.metrics import IncidentFacts, compute, parse_period

SEVERITIES = ["sev1", "sev2", "sev3"]
NOW = datetime(2026, 3, 2, tzinfo=UTC)


def figures(count: int):
    period = parse_period("2026-02-02..2026-02-15", NOW)
    start = datetime(2026, 2, 2, 9, tzinfo=UTC)
    facts = [
        IncidentFacts(n, SEVERITIES[n % 3], start + timedelta(days=n), None, start + timedelta(days=n, hours=2), None)
        for n in range(count)
    ]
    return compute(period, facts, SEVERITIES)


def test_png_is_opaque_with_a_light_background_and_coloured_bars():
    png = weekly_chart(figures(8), SEVERITIES)
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    assert image.getpixel((2, 2)) == (255, 255, 255, 255)  # no transparency for Slack's dark theme to show through
    assert image.getchannel("A").getextrema() == (255, 255)
    colours = {pixel[:3] for _count, pixel in image.getcolors(maxcolors=1_000_000)}
    assert (0xC6, 0x28, 0x28) in colours  # the most severe level's red
    assert BACKGROUND == "#ffffff"


def test_svg_is_the_same_drawing():
    svg = weekly_chart(figures(8), SEVERITIES, fmt="svg").decode()
    assert "<svg" in svg and "#c62828" in svg and "median TTR (h)" in svg  # 2-hour medians
    assert "Incidents per week, 2026-02-02 to 2026-02-15" in svg


def test_an_empty_period_is_not_drawn():
    with pytest.raises(ValueError, match="no incidents"):
        weekly_chart(figures(0), SEVERITIES)


def test_the_line_unit_follows_the_durations():
    from redalert_core.charts.weekly import duration_unit

    assert duration_unit([]) == ("min", 60.0)
    assert duration_unit([4.0, 600.0]) == ("min", 60.0)
    assert duration_unit([3 * 3600.0]) == ("h", 3600.0)
    assert duration_unit([5 * 86400.0]) == ("days", 86400.0)
