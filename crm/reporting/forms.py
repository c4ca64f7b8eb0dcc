"""Forms of the report submission and its review."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from crm.reporting.services import COMMENT_LIMIT, TEXT_LIMIT


class SubmitForm(FlaskForm):
    text = TextAreaField(
        _l("本月工作开展情况"),
        validators=[
            DataRequired(_l("请填写本月工作开展情况")),
            Length(max=TEXT_LIMIT, message=_l("不能超过 %(max)d 个字符")),
        ],
    )


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        _l("退回意见"),
        validators=[
            DataRequired(_l("退回时请填写退回意见")),
            Length(max=COMMENT_LIMIT, message=_l("不能超过 %(max)d 个字符")),
        ],
    )


class AcceptForm(FlaskForm):
    """Only the CSRF token: accepting needs no input."""
