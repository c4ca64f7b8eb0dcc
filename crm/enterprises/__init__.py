"""Enterprises: names, credit codes, duplicates."""
