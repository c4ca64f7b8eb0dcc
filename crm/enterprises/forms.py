"""Enterprise forms: the enterprise fields, a contact, and the merge confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.core.forms import choices
from crm.enterprises.models import LABELS, OWNERSHIPS, TIERS


def maxlen(limit: int) -> Length:
    """A length limit with a Chinese message."""
    return Length(max=limit, message=_l("不能超过 %(max)d 个字符"))


class ChoiceField(SelectField):
    """A select whose refusal of an unknown value is worded in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", _l("请从列表中选择"))
        kwargs.setdefault("invalid_value_message", _l("请从列表中选择"))
        super().__init__(*args, **kwargs)


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a row of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("invalid_choice_message", _l("包含无效的选项"))
        super().__init__(*args, **kwargs)


def _blank_and(values: tuple[str, ...]) -> list[Any]:
    return choices([("", _l("（未填写）")), *((v, v) for v in values)])


def form_values(form: FlaskForm, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields' data as a plain dict (strings stripped) for a service call."""
    values = {}
    for name in names:
        data = getattr(form, name).data
        values[name] = data.strip() if isinstance(data, str) else data
    return values


def field_error(form: FlaskForm, field: str, message: str, fallback: str = "name") -> None:
    """Show a service's error at the field it names (else at ``fallback``)."""
    target = getattr(form, field, None) if field else None
    if target is None or not hasattr(target, "errors"):
        target = getattr(form, fallback)
    if not isinstance(target.errors, list):
        target.errors = list(target.errors)
    target.errors.append(message)


class EnterpriseForm(FlaskForm):
    name = StringField(_l("企业名称"), validators=[DataRequired(_l("请填写企业名称")), maxlen(200)])
    uscc = StringField(
        _l("统一社会信用代码"),
        validators=[Optional(), maxlen(30)],
        description=_l("18 位，可留空"),
    )
    aliases = StringField(
        _l("别名 / 简称"),
        validators=[Optional(), maxlen(500)],
        description=_l("多个别名用顿号或逗号分隔"),
    )
    hq_province = StringField(_l("总部所在省份"), validators=[Optional(), maxlen(40)])
    hq_city = StringField(_l("总部所在城市"), validators=[Optional(), maxlen(40)])
    industry = StringField(_l("所属行业"), validators=[Optional(), maxlen(100)])
    ownership = ChoiceField(_l("所有制"), choices=_blank_and(OWNERSHIPS), default="")
    tier = ChoiceField(_l("企业层级"), choices=_blank_and(TIERS), default="")
    labels = CheckboxesField(_l("企业标签"), choices=choices((v, v) for v in LABELS))
    is_local = BooleanField(_l("已在本市经营"))
    website = StringField(
        _l("网址"),
        validators=[Optional(), maxlen(200)],
        description=_l("以 http:// 或 https:// 开头"),
    )
    description = TextAreaField(_l("企业简介"), validators=[Optional(), maxlen(5000)])


ENTERPRISE_FORM_FIELDS = (
    "name",
    "uscc",
    "aliases",
    "hq_province",
    "hq_city",
    "industry",
    "ownership",
    "tier",
    "labels",
    "is_local",
    "website",
    "description",
)


class ContactForm(FlaskForm):
    name = StringField(
        _l("联系人姓名"), validators=[DataRequired(_l("请填写联系人姓名")), maxlen(60)]
    )
    title = StringField(_l("职务"), validators=[Optional(), maxlen(60)])
    phone = StringField(_l("联系电话"), validators=[Optional(), maxlen(40)])
    email = EmailField(
        _l("电子邮箱"),
        validators=[
            Optional(),
            maxlen(254),
            Email(_l("电子邮箱格式不正确"), check_deliverability=False),
        ],
    )
    note = StringField(_l("备注"), validators=[Optional(), maxlen(500)])


CONTACT_FIELDS = ("name", "title", "phone", "email", "note")


class MergeForm(FlaskForm):
    keep_id = HiddenField(validators=[DataRequired(_l("请选择要保留的企业"))])
    confirm = BooleanField(
        _l("我已核对，确认合并（此操作会记入审计日志）"),
        validators=[DataRequired(_l("请勾选确认"))],
    )


def submit_form(
    form: FlaskForm,
    fields: tuple[str, ...],
    save: Callable[[dict[str, Any]], Any],
    refused: type[Exception],
    fallback: str = "name",
) -> bool:
    """Validate ``form``, pass its ``fields`` to the service call ``save`` and commit. When the
    service refuses, roll back and put its reason on the field it names (the input stays)."""
    from crm.extensions import db

    if not form.validate_on_submit():
        return False
    try:
        save(form_values(form, fields))
    except refused as exc:
        db.session.rollback()
        field_error(form, getattr(exc, "field", None), str(exc), fallback=fallback)
        return False
    db.session.commit()
    return True
