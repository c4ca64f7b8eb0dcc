"""What `make run` prints before starting: the URL and the demo logins."""

from __future__ import annotations

import os

from config import Config
from crm.auth.demo import demo_logins


def main() -> None:
    port = os.environ.get("WEB_PORT", "5000")
    password = os.environ.get("DEMO_PASSWORD", Config.DEMO_PASSWORD)
    print("=" * 60)
    print(f"招商引资管理平台  →  http://127.0.0.1:{port}/")
    print(f"演示账号（密码 {password}）：")
    for login, name in demo_logins():
        print(f"  {login:<14} {name}")
    print("=" * 60, flush=True)


if __name__ == "__main__":
    main()
