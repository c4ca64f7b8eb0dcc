"""Closed months: lock once, ask per zone."""

from crm.core.period_lock import is_locked, lock_period, locked_periods
from crm.extensions import db
from tests.factories import make_zone


def test_a_locked_month_is_locked_for_its_zone_only(app):
    first, second = make_zone(), make_zone()
    assert not is_locked(first.id, "2026-11")
    lock = lock_period(first.id, "2026-11", None)
    again = lock_period(first.id, "2026-11", None)
    db.session.commit()
    assert lock.id == again.id
    assert is_locked(first.id, "2026-11")
    assert not is_locked(second.id, "2026-11")
    assert not is_locked(first.id, "2026-10")
    assert locked_periods(first.id) == {"2026-11"}
