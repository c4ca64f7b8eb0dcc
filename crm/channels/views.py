"""Channel pages: a user's own accounts and choices. The admin pages are in ``admin_views``;
both register on the one ``channels`` blueprint."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.channels import prefs, services
from crm.channels.forms import PrefsForm
from crm.channels.models import ChannelLink
from crm.core.access import SIGNED_IN, allow
from crm.extensions import db

bp = Blueprint("channels", __name__, url_prefix="/channels")


def _apply_link(form, user) -> bool:
    """Save the form's account ids on ``user``; False (errors on the form) when refused."""
    try:
        services.link_user(user, form.wecom_userid.data, form.dingtalk_userid.data)
    except services.ChannelError as exc:
        db.session.rollback()
        getattr(form, exc.field or "wecom_userid").errors.append(str(exc.message))
        return False
    return True


@bp.route("/preferences", methods=["GET", "POST"])
@allow(*SIGNED_IN)
def preferences():
    """My 企业微信 / 钉钉 accounts, and per kind e-mail, app, both or none."""
    link = db.session.get(ChannelLink, current_user.id)
    data = {kind: prefs.choice(link, current_user, kind) for kind in prefs.KIND_LABELS}
    if link is not None:
        data.update(wecom_userid=link.wecom_userid, dingtalk_userid=link.dingtalk_userid)
    form = PrefsForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit() and _apply_link(form, current_user):
        prefs.set_choices(
            current_user,
            {"daily": form.daily.data, "weekly": form.weekly.data, "alert": form.alert.data},
        )
        db.session.commit()
        flash(_("消息设置已保存"), "success")
        return redirect(url_for("channels.preferences"))
    return render_template("channels/preferences.html", form=form)


from crm.channels import admin_views  # noqa: E402, F401 — admin routes join the blueprint
