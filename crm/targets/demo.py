"""Demo enterprises, targets, activities and conflicts for `flask demo`."""

from __future__ import annotations


def load_demo_targets() -> int:
    """Create the demo target list once; returns how many targets were created."""
    return 0
