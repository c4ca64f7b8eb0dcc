"""招商引资管理平台 — the investment-attraction CRM."""

__version__ = "0.1.0"
