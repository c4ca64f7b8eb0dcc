"""Form helpers shared by every area."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def commit_or_flash(action: Callable[[], Any], refused: type[Exception], done: str) -> bool:
    """Run a service call from a view: commit and flash ``done`` when it goes through, or roll
    back and flash the service's reason when it raises ``refused``. True when committed."""
    from flask import flash

    from crm.extensions import db

    try:
        action()
    except refused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return False
    db.session.commit()
    flash(done, "success")
    return True
