"""Sign-in, sign-out, password change and the account page."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from crm.auth import services, throttle
from crm.auth.forms import LoginForm, PasswordChangeForm, TokenForm
from crm.auth.models import ApiToken
from crm.auth.people import search_people
from crm.core.access import SIGNED_IN, allow, public
from crm.core.audit import record_audit
from crm.core.urls import safe_next
from crm.extensions import db

bp = Blueprint("auth", __name__)
PICKER_LIMIT = 20


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with user name and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        wait = throttle.sign_in_wait(form.login.data, request.remote_addr)
        if wait:
            flash(_("操作过于频繁，请稍后再试"), "danger")
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(wait)}
        user = services.authenticate(form.login.data, form.password.data)
        if user is None:
            throttle.record_failure(form.login.data, request.remote_addr)
            record_audit("login_failed", "user", None, {"login": form.login.data[:60]})
            db.session.commit()
            flash(_("用户名或密码不正确"), "danger")
            return render_template("auth/login.html", form=form), 401
        locale = session.get("locale")
        session.clear()
        sid = services.start_login_session(user, request.remote_addr, request.user_agent.string)
        session["sid"] = sid
        if locale:
            session["locale"] = locale
        session.permanent = True
        login_user(user)
        db.session.commit()
        if user.must_change_password:
            return redirect(url_for("auth.password"))
        return redirect(safe_next(form.next.data, url_for("core.index")))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@allow(*SIGNED_IN)
def logout():
    """Sign out: the login session is revoked, so an old cookie no longer works."""
    services.end_login_session(session.get("sid"))
    record_audit("logout", "user", current_user.id, actor=current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("您已安全退出"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*SIGNED_IN)
def password():
    """Change one's own password; other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current.data, form.new.data, keep_sid=session.get("sid")
            )
        except services.AuthError as exc:
            form.new.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("密码已修改"), "success")
            return redirect(url_for("core.index"))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.get("/account")
@allow(*SIGNED_IN)
def account():
    """The profile page: personal details and API tokens."""
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id)
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("auth/account.html", tokens=tokens, form=TokenForm())


@bp.post("/account/tokens")
@allow(*SIGNED_IN)
def create_token():
    """Create a personal API token; its value is shown once."""
    form = TokenForm()
    if not form.validate_on_submit():
        flash("；".join(e for errs in form.errors.values() for e in errs), "danger")
        return redirect(url_for("auth.account"))
    plaintext = services.create_api_token(current_user, form.name.data)
    db.session.commit()
    flash(_("新令牌（只显示这一次，请立即复制保存）：") + plaintext, "token")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/<id:token_id>/revoke")
@allow(*SIGNED_IN)
def revoke_token(token_id: int):
    """Revoke one of one's own API tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    services.revoke_api_token(token, current_user)
    db.session.commit()
    flash(_("令牌已吊销"), "success")
    return redirect(url_for("auth.account"))


@bp.post("/locale")
@public
def set_locale():
    """Switch the interface language (zh_CN or en)."""
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        current_user.locale = locale
        db.session.commit()
    return redirect(safe_next(request.form.get("next"), url_for("core.index")))


@bp.get("/people/search.json")
@allow(*SIGNED_IN)
def people_search():
    """Search-as-you-type for the people pickers: name (pinyin too), sign-in name or e-mail,
    among the people the user may see; at most 20."""
    q = re.sub(r"[\x00-\x1f\x7f]", "", request.args.get("q", ""))
    found = search_people(q, current_user, limit=PICKER_LIMIT)
    return jsonify(
        results=[
            {
                "id": person.id,
                "text": person.display_name,
                "sub": " · ".join(
                    x for x in (person.zone and person.zone.short_name, person.login) if x
                ),
            }
            for person in found
        ]
    )
