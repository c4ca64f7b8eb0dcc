"""The beat schedule (Asia/Shanghai). Every periodic job is idempotent.

Reminders: beat only says "look now"; the outbox table decides what is due and what was sent,
so a duplicate tick sends nothing twice and the 10-minute scan catches up any tick that was
lost (broker or worker down). The daily and weekly entries fire every day and the task checks
the working-day calendar (the weekly digest goes on the week's first working day).
"""

from celery.schedules import crontab

from crm.reminders.periods import DAILY_AT, WEEKLY_AT

BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.heartbeat", "schedule": crontab(minute="*")},
    "reminders-daily": {
        "task": "reminders.daily",
        "schedule": crontab(hour=DAILY_AT.hour, minute=DAILY_AT.minute),
    },
    "reminders-weekly": {
        "task": "reminders.weekly",
        "schedule": crontab(hour=WEEKLY_AT.hour, minute=WEEKLY_AT.minute),
    },
    "reminders-scan": {"task": "reminders.scan", "schedule": crontab(minute="*/10")},
    "channels-scan": {"task": "channels.scan", "schedule": crontab(minute="*")},
    "reporting-remind": {"task": "reporting.remind", "schedule": crontab(minute="*/10")},
}
