"""Every area's models, imported in one place so Alembic and the app see the whole schema."""

from crm.auth.models import ApiToken, LoginSession, User
from crm.core.models import AuditLog, Heartbeat, Setting
from crm.zones.models import Zone

__all__ = ["ApiToken", "AuditLog", "Heartbeat", "LoginSession", "Setting", "User", "Zone"]
