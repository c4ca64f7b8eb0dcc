"""Demo instructions: the demo leader's two open ones, one overdue, made once."""

from __future__ import annotations

from sqlalchemy import select

from crm.core.timeutil import local_today
from crm.extensions import db
from crm.instructions.demo import load_demo_instructions
from crm.instructions.models import Instruction
from crm.projects.demo import load_demo_projects
from tests.factories import make_user
from tests.test_projects_demo import _demo_people


def test_the_demo_leader_has_two_open_instructions_one_overdue(app):
    _demo_people()
    make_user("viewer", login="leader")
    load_demo_projects()
    assert load_demo_instructions() == 2
    db.session.commit()
    today = local_today()
    rows = db.session.scalars(select(Instruction)).all()
    assert all(i.is_open and i.issued_by.login == "leader" for i in rows)
    assert sum(i.is_overdue(today) for i in rows) == 1
    overdue = next(i for i in rows if i.is_overdue(today))
    assert overdue.status == "in_progress" and overdue.entries[0].kind == "report"
    assert load_demo_instructions() == 0  # once
