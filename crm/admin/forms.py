"""Admin forms: users, zones and settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from crm.core.forms import choices
from crm.core.roles import ROLE_LABELS, ROLES


def _role_choices():
    return choices((role, _l(ROLE_LABELS[role])) for role in ROLES)


class UserForm(FlaskForm):
    login = StringField(
        _l("用户名"),
        validators=[
            DataRequired(_l("请填写用户名")),
            Length(max=60),
            Regexp(
                r"^[A-Za-z0-9_.\-]+$", message=_l("用户名只能包含字母、数字、下划线、点和连字符")
            ),
        ],
    )
    display_name = StringField(
        _l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=60)]
    )
    email = EmailField(
        _l("电子邮箱"),
        validators=[Optional(), Email(_l("电子邮箱格式不正确"), check_deliverability=False)],
    )
    role = SelectField(_l("角色"), choices=_role_choices)
    zone_id = SelectField(_l("开发区"), coerce=str, choices=[])
    active = BooleanField(_l("启用"), default=True)


class UserCreateForm(UserForm):
    password = PasswordField(
        _l("初始密码"),
        validators=[DataRequired(_l("请填写初始密码"))],
        description=_l("用户首次登录时必须修改。"),
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("新的临时密码"), validators=[DataRequired(_l("请填写新的临时密码"))]
    )


class ZoneForm(FlaskForm):
    code = StringField(
        _l("代码"),
        validators=[
            DataRequired(_l("请填写代码")),
            Length(max=20),
            Regexp(r"^[a-z][a-z0-9_-]*$", message=_l("代码只能包含小写字母、数字、下划线和连字符")),
        ],
    )
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=100)])
    short_name = StringField(
        _l("简称"), validators=[DataRequired(_l("请填写简称")), Length(max=40)]
    )
    kind = SelectField(
        _l("类型"), choices=choices([("manufacturing", _l("制造业")), ("services", _l("服务业"))])
    )
    lead_industries = StringField(_l("主导产业"), validators=[Optional(), Length(max=500)])
    active = BooleanField(_l("启用"), default=True)
