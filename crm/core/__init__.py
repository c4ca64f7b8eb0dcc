"""Cross-cutting pieces: access scoping, audit, settings, money, dates."""
