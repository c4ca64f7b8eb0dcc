"""Quota and goal-list forms: a zone's tiers for a year, a goal's target (actuals:
crm.quotas.indicator_forms).

Every field is a text field checked here, so a refusal is worded in Chinese, shown at the
field, and what was typed stays in the form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, StringField

from crm.core.forms import choices
from crm.core.money import YI, AmountError, parse_amount
from crm.enterprises.forms import ChoiceField, maxlen
from crm.quotas.services import MAX_REQUIRED, QuotaError, check_year

UNITS = (("亿元", _l("亿元")), ("万元", _l("万元")))
BLANK_ROWS = 2


class TierRowForm(Form):
    """One tier: name, threshold (in 亿元 or 万元), how many projects."""

    title = StringField(_l("档次名称"), validators=[maxlen(60)])
    threshold = StringField(_l("金额门槛"))
    unit = ChoiceField(_l("单位"), choices=choices(UNITS), default="亿元")
    required = StringField(_l("项目个数"))

    def is_blank(self) -> bool:
        typed = (self.title.data, self.threshold.data, self.required.data)
        return not any((value or "").strip() for value in typed)


class QuotaForm(FlaskForm):
    """A zone's quota for one year: the tiers, highest threshold first."""

    year = StringField(_l("年份"))
    tiers = FieldList(FormField(TierRowForm), min_entries=1)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate()
        try:
            check_year((self.year.data or "").strip())
        except QuotaError as exc:
            self.year.errors = [*self.year.errors, str(exc)]
            ok = False
        seen: dict[int, int] = {}
        for index, entry in enumerate(self.tiers.entries, start=1):
            row = entry.form
            if row.is_blank():
                continue
            ok = _check_row(row, index, seen) and ok
        return ok

    def tier_rows(self) -> list[dict[str, Any]]:
        """The filled rows as save_quota() wants them (call after validate())."""
        rows = []
        for entry in self.tiers.entries:
            row = entry.form
            if row.is_blank():
                continue
            threshold = parse_amount(row.threshold.data, row.unit.data)
            label = (row.title.data or "").strip() or _(
                "%(amount)s以上项目", amount=short_yi(threshold)
            )
            rows.append(
                {"label": label, "threshold_wan": threshold, "required": int(row.required.data)}
            )
        return rows


def _error(field: Any, message: str) -> bool:
    field.errors = [*field.errors, message]
    return False


def _check_row(row: TierRowForm, index: int, seen: dict[int, int]) -> bool:
    ok = True
    text = (row.threshold.data or "").strip()
    try:
        threshold = parse_amount(text, row.unit.data if row.unit.data in dict(UNITS) else "亿元")
    except AmountError as exc:
        ok = _error(row.threshold, str(exc))
    else:
        if threshold <= 0:
            ok = _error(row.threshold, _("金额门槛必须大于 0"))
        elif threshold in seen:
            ok = _error(
                row.threshold, _("与第 %(n)s 档的金额门槛相同，每档的门槛应不同", n=seen[threshold])
            )
        else:
            seen[threshold] = index
    required = (row.required.data or "").strip()
    if not (required.isascii() and required.isdigit() and 1 <= int(required) <= MAX_REQUIRED):
        ok = _error(row.required, _("项目个数应为 1 到 %(max)s 之间的整数", max=MAX_REQUIRED))
    return ok


def short_yi(wan: int) -> str:
    """300000 → "30亿元", 125000 → "12.5亿元", 5000 → "5000万元"."""
    if wan >= YI:
        return f"{(Decimal(wan) / YI).normalize():f}亿元"
    return f"{wan}万元"


def tier_form_data(tiers: list[Any]) -> list[dict[str, str]]:
    """Stored tiers as form rows (thresholds in whole 亿元 where they are), plus blank rows."""
    rows = []
    for tier in tiers:
        whole = tier.threshold_wan % YI == 0
        rows.append(
            {
                "title": tier.label,
                "threshold": str(tier.threshold_wan // YI if whole else tier.threshold_wan),
                "unit": "亿元" if whole else "万元",
                "required": str(tier.required),
            }
        )
    return rows + [{"title": "", "threshold": "", "unit": "亿元", "required": ""}] * BLANK_ROWS


class GoalTargetForm(FlaskForm):
    """An indicator's target value and year."""

    target_value = StringField(_l("目标值"))
    target_year = StringField(_l("目标年份"))
