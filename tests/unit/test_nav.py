"""One navigation item is marked per page: its own, else its area's home."""

from __future__ import annotations

import pytest

from crm.core.nav import NAV, active_endpoint


@pytest.mark.parametrize(
    ("endpoint", "marked"),
    [
        ("projects.index", "projects.index"),
        ("projects.board", "projects.board"),
        ("projects.detail", "projects.index"),
        ("targets.detail", "targets.index"),
        ("targets.conflicts", "targets.conflicts"),
        ("chains.detail", "chains.index"),
        ("auth.account", None),
        (None, None),
    ],
)
def test_one_item_is_marked(endpoint, marked):
    assert active_endpoint(NAV, endpoint) == marked
    assert sum(item.endpoint == marked for item in NAV) == (1 if marked else 0)
