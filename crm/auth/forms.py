"""Sign-in and account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    login = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=60)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码"))])
    next = HiddenField()


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请输入当前密码"))])
    new = PasswordField(
        _l("新密码"), validators=[DataRequired(_l("请输入新密码")), Length(max=256)]
    )
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[
            DataRequired(_l("请再次输入新密码")),
            EqualTo("new", _l("两次输入的密码不一致")),
        ],
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("令牌名称"), validators=[DataRequired(_l("请填写令牌名称")), Length(max=60)]
    )
