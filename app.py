"""The application factory: the only place the Flask app is assembled."""

from __future__ import annotations

import logging
import posixpath
from typing import Any

from flask import Flask, abort, g, has_request_context, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE_DIR, Config, config_from_env
from crm.core import boundary, conflicts
from crm.core.i18n import RequestDomain
from crm.core.overload import OverloadGuard
from crm.core.timeutil import format_datetime_zh
from crm.extensions import babel, celery_init_app, csrf, db, limiter, login_manager, migrate

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Only the built assets are served; static/node_modules (npm's install tree, package.json
# included) stays on disk for `make assets` and answers 404.
STATIC_DIRS = frozenset({"css", "js", "vendor"})
STATIC_FILES = frozenset({"favicon.svg"})
ERROR_CODES = (400, 401, 403, 404, 405, 409, 413, 414, 415, 422, 429, 500)
PAGE_MESSAGES = {
    400: _l("请求无效，请返回重试（表单可能已过期）"),
    401: _l("请先登录"),
    403: _l("您没有权限访问此页面"),
    404: _l("页面不存在，或您无权查看"),
    405: _l("不支持该请求方法"),
    409: _l("数据已被他人修改，请刷新后重试"),
    413: _l("上传的文件过大"),
    414: _l("请求的网址过长"),
    415: _l("文件类型不受支持"),
    422: _l("提交的数据未通过校验"),
    429: _l("操作过于频繁，请稍后再试"),
    500: _l("服务器出错了，我们已记录该问题，请稍后再试"),
}


def create_app(config_class: type[Config] | None = None, **overrides: Any) -> Flask:
    """Build the app from a config class (default: by APP_ENV) and optional overrides."""
    config_class = config_class or config_from_env()
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.config.from_object(config_class)
    app.config.update(overrides)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    config_class.finalize(app.config)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    boundary.init_app(app, strict_prefixes=("/api/",))
    if app.config["OVERLOAD_MAX_IN_FLIGHT"] > 0:  # outermost: sheds before any work
        app.wsgi_app = OverloadGuard(  # type: ignore[method-assign]
            app.wsgi_app,
            app.config["OVERLOAD_MAX_IN_FLIGHT"],
            app.config["OVERLOAD_MAX_WAIT_MS"],
            app.config["OVERLOAD_MAX_QUEUE_MS"],
            max_waiting=app.config["OVERLOAD_MAX_WAITING"] or None,
        )
    register_extensions(app)
    register_blueprints(app)
    register_static(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def _select_locale() -> str | None:
    if not has_request_context():
        return None  # CLI and tasks: the default locale, unless force_locale chose one
    api_user = g.get("api_user")  # bearer-token requests: the token owner's language
    if api_user is not None and api_user.locale:
        return api_user.locale
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    return session.get("locale") or "zh_CN"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on every SQLite connection; WAL for file databases."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def register_extensions(app: Flask) -> None:
    from crm.api.base import api

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = None  # sessions are revocable rows instead
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(app.root_path + "/crm/translations"),
    )
    babel.domain_instance = RequestDomain()  # one catalogue lookup per request, not per string
    limiter.init_app(app)
    celery_init_app(app)
    api.init_app(
        app,
        spec_kwargs={
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    import crm.areas
    import crm.core.tasks
    import crm.models  # noqa: F401 — the whole schema, for Alembic


def register_blueprints(app: Flask) -> None:
    from crm.api.base import api
    from crm.areas import AREAS, plug_in
    from crm.core.access import public

    for area in AREAS:
        for blueprint in area.blueprints:
            app.register_blueprint(blueprint)
    for area in AREAS:
        for blueprint in area.api:
            csrf.exempt(blueprint)  # bearer tokens only: no cookie, so no CSRF
            api.register_blueprint(blueprint)
    plug_in(app)
    openapi = app.view_functions["api-docs.openapi_json"]
    app.view_functions["api-docs.openapi_json"] = public(lambda: openapi())  # a public document


def register_static(app: Flask) -> None:
    """Serve static/css, static/js, static/vendor and the favicon only (after normalising)."""
    from crm.core.access import public

    send = app.view_functions["static"]

    def static(filename: str):
        normalised = posixpath.normpath("/" + filename).lstrip("/")
        if normalised.split("/", 1)[0] not in STATIC_DIRS and normalised not in STATIC_FILES:
            abort(404)
        return send(filename=normalised)

    app.view_functions["static"] = public(static)


def register_request_hooks(app: Flask) -> None:
    from flask import redirect, url_for

    @app.before_request
    def force_password_change():
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in {"auth.password", "auth.logout", "static", "core.healthz"}
            and not request.path.startswith("/api/")
        ):
            return redirect(url_for("auth.password"))
        return None

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if (current_user and current_user.is_authenticated) or request.path.startswith("/api/"):
            headers["Cache-Control"] = "no-store"
        return response


def register_error_handlers(app: Flask) -> None:
    from crm.api.base import is_api_request, json_error

    def handle(exc: HTTPException):
        if is_api_request():
            return json_error(exc)
        code = exc.code or 500
        if code == 403 and current_user.is_authenticated:
            from crm.core.audit import record_audit

            db.session.rollback()
            record_audit("forbidden", "route", request.path[:64], actor=current_user)
            db.session.commit()
        message = getattr(exc, "message", None) or str(PAGE_MESSAGES.get(code, exc.name))
        headers = (
            {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else {}
        )
        return render_template("errors/error.html", code=code, message=message), code, headers

    for code in ERROR_CODES:
        app.register_error_handler(code, handle)

    def refused_by_database(exc: Exception):
        db.session.rollback()
        logging.getLogger("crm").info("database refusal on %s: %s", request.path, exc)
        return handle(conflicts.http_error(exc))

    for refusal in conflicts.REFUSALS:
        app.register_error_handler(refusal, refused_by_database)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return handle(exc)
        logging.getLogger("crm").exception("unhandled error on %s", request.path)
        db.session.rollback()
        from werkzeug.exceptions import InternalServerError

        return handle(InternalServerError())


def _locale_tag() -> str:
    locale = get_locale()
    return "zh-CN" if locale is None or locale.language == "zh" else locale.language


def register_template_helpers(app: Flask) -> None:
    from crm.core.i18n import join_words, label, marks, words
    from crm.core.nav import active_endpoint, nav_items
    from crm.core.page_sections import page_sections

    app.jinja_env.filters["datetime_zh"] = format_datetime_zh
    app.jinja_env.filters["label"] = label  # a stored vocabulary word, translated
    app.jinja_env.filters["words"] = words  # a list of them, translated and joined
    app.jinja_env.filters["join_words"] = join_words  # 甲、乙 / "a, b"
    app.jinja_env.globals.update(marks())  # colon() → ： / ": ", lp() rp() → （） / " ()" …
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["active_endpoint"] = active_endpoint
    app.jinja_env.globals["current_locale_tag"] = _locale_tag
    app.jinja_env.globals["page_sections"] = page_sections  # areas' parts of a record's page


def register_cli(app: Flask) -> None:
    from crm.cli import register_commands

    register_commands(app)
