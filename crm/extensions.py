"""Unbound extensions; only the app factory calls their ``init_app``."""

from __future__ import annotations

import json

from celery import Celery, Task
from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _client_address() -> str:
    from flask import request

    return request.remote_addr or "unknown"


def _json_dumps(value: object) -> str:
    # Chinese stays readable in JSON columns, so LIKE filters on them match real text.
    return json.dumps(value, ensure_ascii=False)


db = SQLAlchemy(model_class=Base, engine_options={"json_serializer": _json_dumps})
# Indexes kept outside the models on purpose (PostgreSQL-only expression indexes, created by
# their migration and a DDL hook beside the model): autogenerate leaves them alone.
UNMANAGED_INDEXES = frozenset({"ix_enterprise_search_grams"})


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and name in UNMANAGED_INDEXES)


migrate = Migrate(compare_type=True, render_as_batch=True, include_object=_include_object)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=_client_address, default_limits=[])


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app whose tasks run inside the Flask app context."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
