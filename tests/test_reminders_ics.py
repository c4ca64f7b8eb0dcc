"""The iCalendar writer (RFC 5545): folding, escaping, all-day events, CRLF."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crm.reminders.ics import Event, calendar, escape_text, fold


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a,b;c\\d", "a\\,b\\;c\\\\d"),
        ("line1\nline2\r\nline3\rline4", "line1\\nline2\\nline3\\nline4"),
        ("普通文字", "普通文字"),
    ],
)
def test_text_values_are_escaped(raw, escaped):
    assert escape_text(raw) == escaped


@pytest.mark.parametrize("text", ["x" * 200, "跟进" * 80, "a" + "企业" * 60, "é" * 100])
def test_lines_fold_at_75_octets_without_splitting_characters(text):
    folded = fold("SUMMARY:" + text)
    physical = folded.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    assert all(line.startswith(" ") for line in physical[1:])
    assert "".join([physical[0]] + [line[1:] for line in physical[1:]]) == "SUMMARY:" + text


def test_calendar_has_all_day_events_with_uid_and_utc_stamp():
    now = datetime(2026, 10, 15, 8, 30, tzinfo=UTC)
    text = calendar(
        [Event("target-7", date(2026, 10, 20), "跟进：甲,乙", "说明\n第二行", "https://x.cn/t/7")],
        "日程",
        "crm.example.cn",
        now,
    )
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    for expected in (
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "UID:target-7@crm.example.cn",
        "DTSTAMP:20261015T083000Z",
        "DTSTART;VALUE=DATE:20261020",
        "DTEND;VALUE=DATE:20261021",
        "SUMMARY:跟进：甲\\,乙",
        "DESCRIPTION:说明\\n第二行",
        "URL:https://x.cn/t/7",
    ):
        assert expected in lines
