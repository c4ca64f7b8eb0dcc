"""Period keys of closed months."""

import pytest

from crm.core.period_lock import PERIOD_RE, period_of


def test_period_of_pads_the_month():
    assert period_of(2026, 3) == "2026-03"
    assert period_of(2027, 12) == "2027-12"


@pytest.mark.parametrize("month", [0, 13, -1])
def test_period_of_refuses_months_out_of_range(month):
    with pytest.raises(ValueError):
        period_of(2026, month)


@pytest.mark.parametrize(
    "text", ["2026-3", "2026-13", "2026-00", "２０２６-03", "2026-03x", "2026-03\n"]
)
def test_period_pattern_takes_only_ascii_months(text):
    assert not PERIOD_RE.fullmatch(text)
