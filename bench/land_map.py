"""Land parcels at scale: ``python -m bench.land_map [bench.run options]``.

``min(10 000, enterprises)`` parcels in 高新区 (5 000 at city scale, 10 000 from ``--scale 2``),
each with an outline on the zone's plan, a status cycling through the six statuses and its
status event; so the query counts compare city scale with the issue's 10 000 parcels. The parcel
ledger (filtered and not), the map page, the map's data (every outline of the zone), the
conflicts list and a parcel's page must not issue more statements when a zone holds more land.

Runs ``bench.run`` on the floor and the land endpoints only; p50 and p95 are printed beside the
floor measured in the same run.
"""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal

from bench.generate import Context, bulk_insert, generator
from bench.queries import Endpoint

MAX_PARCELS = 10_000
STATUSES = ("reserve", "approved", "supplied", "idle", "reviving", "revived")
ZONE_CODE = "gxq"


def _square(k: int) -> list[list[int]]:
    x, y = (k % 100) * 12, (k // 100) * 8
    return [[x, y], [x + 10, y], [x + 10, y + 6], [x, y + 6]]


@generator("land parcel", order=90)
def generate_parcels(ctx: Context) -> int:
    """The zone's parcels with outlines and one status event each."""
    from sqlalchemy import select

    from crm.extensions import db
    from crm.land.models import LandEvent, Parcel, outline_text

    zone = ctx.ids["zones"][ZONE_CODE]
    count = min(MAX_PARCELS, len(ctx.ids["enterprise_ids"]))
    rng = ctx.rng
    parcels = bulk_insert(
        Parcel,
        (
            {
                "zone_id": zone,
                "code": f"GX-B{k + 1:05d}",
                "name": f"基准地块{k + 1}",
                "area_mu": Decimal(rng.randint(500, 30000)) / 100,
                "land_use": ("industrial", "storage", "commercial")[k % 3],
                "status": STATUSES[k % len(STATUSES)],
                "status_since": date(2026, 1 + k % 11, 1),
                "polygon": _square(k),
                "outline_json": outline_text(_square(k)),  # as the model writes it
            }
            for k in range(count)
        ),
    )
    ids = db.session.scalars(
        select(Parcel.id).where(Parcel.zone_id == zone).order_by(Parcel.id)
    ).all()
    events = bulk_insert(
        LandEvent,
        (
            {
                "parcel_id": pid,
                "kind": "status",
                "from_status": "approved",
                "to_status": STATUSES[k % len(STATUSES)],
                "area_mu": Decimal(100),
                "effective_on": date(2026, 1 + k % 11, 1),
            }
            for k, pid in enumerate(ids)
        ),
    )
    return parcels + events


def land_endpoints() -> list[Endpoint]:
    return [
        Endpoint("land: GET /land/", "/land/"),
        Endpoint("land: ledger, status filter", "/land/?status=approved"),
        Endpoint("land: map page", "/land/map"),
        Endpoint("land: map data", "/land/zones/1/map.json"),
        Endpoint("land: conflicts", "/land/conflicts"),
        Endpoint("land: a parcel", "/land/parcels/1"),
    ]


def main(argv: list[str] | None = None) -> int:
    from bench import run

    run.ENDPOINTS[:] = [run.FLOOR, *land_endpoints()]
    return run.main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    # `python -m` ran this file as __main__, whose decorator registered the generator once;
    # keep only the importable module's registration.
    import importlib

    from bench.generate import GENERATORS

    GENERATORS[:] = [entry for entry in GENERATORS if entry[2].__module__ != "__main__"]
    sys.exit(importlib.import_module("bench.land_map").main())
