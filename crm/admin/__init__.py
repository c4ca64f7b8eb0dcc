"""Administration: users, zones, settings and the audit log."""
