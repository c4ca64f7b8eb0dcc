"""The beat schedule (Asia/Shanghai). Every periodic job is idempotent."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "heartbeat": {"task": "core.heartbeat", "schedule": crontab(minute="*")},
}
