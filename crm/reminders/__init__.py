"""Follow-up reminders and weekly digests by e-mail: outbox, schedule, exactly-once sending."""
