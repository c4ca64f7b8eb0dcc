"""Projects at scale: ``python -m bench.projects_board [bench.run options]``.

Runs ``bench.run`` on the floor and the project endpoints only — the pipeline board, the list
page (plain and filtered) and the API list (plain and filtered) — on data built by the
registered generators (``bench.gen_projects``: 100 000 projects and 1 000 000 of the
activities at province scale). Query counts must be equal at both scales; p50 and p95 are
printed beside the floor measured in the same run.
"""

from __future__ import annotations

import sys
from urllib.parse import quote

from bench.queries import Endpoint

BOARD = Endpoint("projects: GET /projects/board", "/projects/board")
LIST = Endpoint("projects: GET /projects/", "/projects/")
API_LIST = Endpoint("api: GET /api/v1/projects", "/api/v1/projects", auth="token")


def project_endpoints() -> list[Endpoint]:
    """The board, the list and the API list, plain and with the filters people use most."""
    return [
        BOARD,
        LIST,
        Endpoint(
            "projects: ?stage=negotiation&sort=amount", "/projects/?stage=negotiation&sort=amount"
        ),
        Endpoint("projects: ?signal=overdue", "/projects/?signal=overdue"),
        API_LIST,
        Endpoint(
            "api: projects?min_amount=10亿&sort=amount",
            f"/api/v1/projects?min_amount={quote('10亿')}&sort=amount",
            auth="token",
        ),
        Endpoint("api: projects?q=项目（1", f"/api/v1/projects?q={quote('项目（1')}", auth="token"),
    ]


def main(argv: list[str] | None = None) -> int:
    from bench import run

    run.ENDPOINTS[:] = [run.FLOOR, *project_endpoints()]
    return run.main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
