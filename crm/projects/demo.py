"""Demo projects for `flask demo`."""

from __future__ import annotations


def load_demo_projects() -> int:
    """Create the demo projects once; returns how many were created."""
    return 0
