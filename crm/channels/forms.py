"""Channel forms: preferences and links, provider settings (secrets write-only), robot
groups, test messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from crm.channels.prefs import ALERT_CHOICES, CHOICES
from crm.core.forms import choices
from crm.enterprises.forms import CheckboxesField


class LinkForm(FlaskForm):
    wecom_userid = StringField(
        _l("企业微信 / 政务微信账号（UserID）"), validators=[Optional(), Length(max=64)]
    )
    dingtalk_userid = StringField(_l("钉钉账号（userid）"), validators=[Optional(), Length(max=64)])


class PrefsForm(LinkForm):
    daily = SelectField(_l("每日跟进提醒"), choices=choices(CHOICES.items()))
    weekly = SelectField(_l("每周工作周报"), choices=choices(CHOICES.items()))
    alert = SelectField(
        _l("重要提醒（10亿元以上项目、跨区冲突）"),
        choices=choices((k, CHOICES[k]) for k in ALERT_CHOICES),
    )


class ConfigForm(FlaskForm):
    enabled = BooleanField(_l("启用"))
    base_url = StringField(
        _l("接口地址"),
        validators=[Optional(), Length(max=200)],
        description=_l("留空使用官方地址；政务微信填写本单位的接口地址。"),
    )
    corp_id = StringField(_l("企业 ID（CorpID）/ AppKey"), validators=[Optional(), Length(max=100)])
    agent_id = StringField(_l("应用 AgentId"), validators=[Optional(), Length(max=40)])
    secret = PasswordField(
        _l("应用 Secret / AppSecret"),
        validators=[Optional(), Length(max=200)],
        description=_l("只写：保存后不再显示；留空保持原值。"),
    )


class GroupForm(FlaskForm):
    name = StringField(_l("群名称"), validators=[DataRequired(_l("请填写群名称")), Length(max=60)])
    provider = SelectField(_l("机器人类型"))
    zone_id = SelectField(_l("所属"))
    webhook_url = StringField(
        _l("Webhook 地址"),
        validators=[Optional(), Length(max=500)],
        description=_l("只写：保存后只显示主机和路径；留空保持原值。"),
    )
    secret = PasswordField(
        _l("加签密钥（钉钉，SEC 开头）"),
        validators=[Optional(), Length(max=200)],
        description=_l("只写：保存后不再显示；留空保持原值。"),
    )
    keyword = StringField(_l("自定义关键词（钉钉）"), validators=[Optional(), Length(max=40)])
    events = CheckboxesField(_l("发送的事件"))
    active = BooleanField(_l("启用"), default=True)


class TestForm(FlaskForm):
    channel = SelectField(_l("渠道"))
    login = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=60)])


class EmptyForm(FlaskForm):
    """Only the CSRF token."""
