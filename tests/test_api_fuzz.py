"""The API fuzzed from its own OpenAPI document (Schemathesis): every operation as a staff
member and as a coordinator, then the stateful phase (sequences of linked calls). Any server
error or answer outside the document fails. Bounded and seeded, so a run is reproducible and
costs a couple of minutes: FUZZ_EXAMPLES raises the examples per operation for a longer run."""

from __future__ import annotations

import os

import pytest
import schemathesis
from crm.cli import load_seed
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app import create_app
from config import TestConfig
from crm.auth.services import create_api_token
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.services import create_project
from crm.targets.services import create_target
from tests.factories import make_user

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
STEPS = int(os.environ.get("FUZZ_STEPS", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, unshrunk
    suppress_health_check=list(HealthCheck),
)
ROLES = ("staff", "coordinator")
# The document cannot say every business rule a valid-looking body may break (one of
# enterprise_id / enterprise, an amount with its unit, a year within ten of today): such a
# refusal is a 422 it documents, not a failure. Everything else is checked, the default set.
NOT_CHECKED = [positive_data_acceptance]


def _world() -> dict[str, dict[str, str]]:
    """The seed (zones, chains, quotas), one staff member and one coordinator with tokens, and a
    target and a project, so that ids in paths find something."""
    load_seed()
    from crm.zones.models import Zone

    zone = db.session.scalars(db.select(Zone).order_by(Zone.id)).first()
    staff = make_user("staff", zone=zone, login="fuzz-staff")
    city = make_user("coordinator", login="fuzz-city")
    enterprise = create_enterprise({"name": "河南模糊测试有限公司"}, None, confirm_duplicate=True)
    create_target(enterprise, zone.id, {}, staff)
    create_project(enterprise, zone.id, {"name": "模糊测试项目"}, staff, stage="lead")
    tokens = {
        "staff": create_api_token(staff, "fuzz"),
        "coordinator": create_api_token(city, "fuzz"),
    }
    db.session.commit()
    return {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}


# The document only (no database): each test sends its requests to its own fresh app.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
)


CURRENT: dict[str, str] = {}  # the stateful phase's token, read by the auth provider


@schema.auth(refresh_interval=None)
class BearerToken:
    """The API's bearer token, the documented way (so the auth checks know it is valid)."""

    def get(self, case, ctx):
        return CURRENT.get("authorization")

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": data}


@pytest.fixture
def tokens(app) -> dict[str, dict[str, str]]:
    return _world()


@schema.parametrize()
@FUZZ
def test_every_operation_answers_as_documented(case, app, tokens):
    for role in ROLES:  # each generated request, as either role
        case.call_and_validate(app=app, headers=tokens[role], excluded_checks=NOT_CHECKED)


@pytest.mark.parametrize("role", ROLES)
def test_stateful_sequences_answer_as_documented(app, tokens, role):
    CURRENT["authorization"] = tokens[role]["Authorization"]

    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"app": app}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            kwargs.pop("excluded_checks", None)
            case.validate_response(
                response,
                excluded_checks=NOT_CHECKED,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Workflow.run(
        settings=settings(
            max_examples=max(2, EXAMPLES // 3),
            stateful_step_count=STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
