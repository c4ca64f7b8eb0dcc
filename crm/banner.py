"""What `make run` prints before starting: the URL and the demo logins."""

from __future__ import annotations

import os

from config import Config, server_address
from crm.auth.demo import demo_logins


def main() -> None:
    password = os.environ.get("DEMO_PASSWORD", Config.DEMO_PASSWORD)
    print("=" * 60)
    print(f"招商引资管理平台  →  {server_address()}/")
    print(f"演示账号（密码 {password}）：")
    for login, name in demo_logins():
        print(f"  {login:<14} {name}")
    print("=" * 60, flush=True)


if __name__ == "__main__":
    main()
