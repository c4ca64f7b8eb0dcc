"""Admin pages: provider settings (secrets write-only), robot groups, a user's accounts, test
messages and the channel outbox filtered by channel and status."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.auth.models import User
from crm.channels import services
from crm.channels.forms import ConfigForm, EmptyForm, GroupForm, LinkForm, TestForm
from crm.channels.models import (
    CHANNELS,
    EVENTS,
    PERSONAL_CHANNELS,
    ROBOT_CHANNELS,
    STATUSES,
    ChannelLink,
    RobotGroup,
)
from crm.channels.tasks import enqueue
from crm.channels.views import _apply_link, bp
from crm.core.access import allow, get_or_404
from crm.core.forms import choices
from crm.core.pagination import paginate
from crm.extensions import db
from crm.zones.models import Zone


def _config_form(provider: str, formdata=None) -> ConfigForm:
    config = services.config_of(provider)
    form = ConfigForm(
        formdata=formdata,
        prefix=provider,
        data={
            "enabled": config.enabled,
            "base_url": config.base_url,
            "corp_id": config.corp_id,
            "agent_id": config.agent_id,
        },
    )
    form.has_secret = bool(config.secret)
    return form


def _test_form() -> TestForm:
    form = TestForm(prefix="test")
    form.channel.choices = choices((c, services.CHANNEL_LABELS[c]) for c in PERSONAL_CHANNELS)
    return form


@bp.get("/admin")
@allow("admin")
def admin():
    return render_template(
        "channels/admin.html",
        forms={p: _config_form(p) for p in PERSONAL_CHANNELS},
        labels=services.CHANNEL_LABELS,
        groups=services.groups(current_user),
        events=services.EVENT_LABELS,
        masked=services.masked,
        test_form=_test_form(),
        action_form=EmptyForm(),
    )


@bp.post("/admin/config/<provider>")
@allow("admin")
def save_config(provider: str):
    if provider not in PERSONAL_CHANNELS:
        return redirect(url_for("channels.admin"))
    form = _config_form(provider, request.form)
    if form.validate():
        values = {
            name: form[name].data
            for name in ("enabled", "base_url", "corp_id", "agent_id", "secret")
        }
        try:
            services.save_config(provider, values, current_user)
        except services.ChannelError as exc:
            db.session.rollback()
            form[exc.field or "corp_id"].errors = [str(exc.message)]
        else:
            db.session.commit()
            flash(_("渠道设置已保存"), "success")
            return redirect(url_for("channels.admin"))
    forms = {p: (form if p == provider else _config_form(p)) for p in PERSONAL_CHANNELS}
    return render_template(
        "channels/admin.html",
        forms=forms,
        labels=services.CHANNEL_LABELS,
        groups=services.groups(current_user),
        events=services.EVENT_LABELS,
        masked=services.masked,
        test_form=_test_form(),
        action_form=EmptyForm(),
    ), 400


def _group_form(group: RobotGroup | None) -> GroupForm:
    data = None
    if group is not None and request.method == "GET":
        data = {
            "name": group.name,
            "provider": group.provider,
            "zone_id": str(group.zone_id or ""),
            "keyword": group.keyword,
            "events": group.events or [],
            "active": group.active,
        }
    form = GroupForm(data=data)
    form.provider.choices = choices((c, services.CHANNEL_LABELS[c]) for c in ROBOT_CHANNELS)
    zones = db.session.scalars(select(Zone).where(Zone.active.is_(True)).order_by(Zone.sort_order))
    form.zone_id.choices = choices([("", _("全市"))] + [(str(z.id), z.name) for z in zones])
    form.events.choices = choices((e, services.EVENT_LABELS[e]) for e in EVENTS)
    return form


@bp.route("/admin/groups/new", methods=["GET", "POST"], defaults={"group_id": None})
@bp.route("/admin/groups/<id:group_id>", methods=["GET", "POST"])
@allow("admin")
def group_edit(group_id: int | None):
    group = get_or_404(RobotGroup, group_id) if group_id is not None else None
    form = _group_form(group)
    if form.validate_on_submit():
        values = {
            name: form[name].data
            for name in ("name", "provider", "webhook_url", "secret", "keyword", "events", "active")
        }
        values["zone_id"] = int(form.zone_id.data) if form.zone_id.data else None
        try:
            services.save_group(group, values, current_user)
        except services.ChannelError as exc:
            db.session.rollback()
            form[exc.field or "name"].errors = [str(exc.message)]
        else:
            db.session.commit()
            flash(_("群机器人已保存"), "success")
            return redirect(url_for("channels.admin"))
    return render_template(
        "channels/group_form.html", form=form, group=group, masked=services.masked
    )


@bp.post("/admin/groups/<id:group_id>/test")
@allow("admin")
def group_test(group_id: int):
    group = get_or_404(RobotGroup, group_id)
    if EmptyForm().validate_on_submit():
        enqueue([_queue(lambda: services.queue_test(current_user, group.provider, group=group))])
        flash(_("测试消息已排队，请在渠道发件箱查看结果"), "success")
    return redirect(url_for("channels.outbox", channel=group.provider))


def _queue(create) -> int:
    message_id = create()
    db.session.commit()
    return message_id


@bp.post("/admin/test")
@allow("admin")
def personal_test():
    form = _test_form()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.login == form.login.data.strip()))
        if user is None:
            flash(_("没有这个用户名"), "danger")
            return redirect(url_for("channels.admin"))
        try:
            message_id = _queue(
                lambda: services.queue_test(current_user, form.channel.data, user=user)
            )
        except services.ChannelError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return redirect(url_for("channels.admin"))
        enqueue([message_id])
        flash(_("测试消息已排队，请在渠道发件箱查看结果"), "success")
        return redirect(url_for("channels.outbox", channel=form.channel.data))
    flash(_("请填写用户名并选择渠道"), "danger")
    return redirect(url_for("channels.admin"))


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@allow("admin")
def user_link(user_id: int):
    user = get_or_404(User, user_id)
    link = db.session.get(ChannelLink, user.id)
    data = (
        {"wecom_userid": link.wecom_userid, "dingtalk_userid": link.dingtalk_userid} if link else {}
    )
    form = LinkForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit() and _apply_link(form, user):
        db.session.commit()
        flash(_("账号绑定已保存"), "success")
        return redirect(url_for("channels.user_link", user_id=user.id))
    return render_template("channels/user_link.html", form=form, user=user)


@bp.get("/admin/outbox")
@allow("admin")
def outbox():
    channel = request.args.get("channel", "")
    channel = channel if channel in CHANNELS else ""
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    stmt = services.scoped_outbox(current_user, channel or None, status or None)
    failures = db.session.scalars(
        services.scoped_outbox(current_user, channel or None, "failed").limit(20)
    ).all()
    return render_template(
        "channels/outbox.html",
        page=paginate(stmt, per_page=50),
        channel=channel,
        status=status,
        channels=services.CHANNEL_LABELS,
        labels=services.STATUS_LABELS,
        counts=services.scoped_counts(current_user, channel or None),
        failures=failures,
    )
