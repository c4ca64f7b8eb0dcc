"""Development zones (开发区)."""
