"""A local HTTP server speaking the providers' documented shapes, for the channel tests.

企业微信 / 政务微信: GET /cgi-bin/gettoken, POST /cgi-bin/message/send, POST
/cgi-bin/webhook/send?key=… (group robot). 钉钉: GET /gettoken, POST
/topapi/message/corpconversation/asyncsend_v2, POST /robot/send?access_token=…&timestamp=…&sign=…
(加签 checked). Faults are scripted per endpoint: ``faults["wecom_send"] = ["expire", "rate",
"5xx"]`` answers the next sends with 42001, 45009 and HTTP 502, one each.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CORP_ID, CORP_SECRET, AGENT_ID = "ww-test-corp", "wecom-secret-S3CR3T", "1000002"
APP_KEY, APP_SECRET, DING_AGENT = "ding-test-key", "ding-secret-S3CR3T", "2000003"
ROBOT_KEY, DING_ROBOT_TOKEN, DING_ROBOT_SECRET = (
    "robot-key-R0B0T",
    "ding-robot-T0K",
    "SEC-r0b0t-S3CR3T",
)
KEYWORD = "招商"
ERRORS = {
    "expire": (42001, "access_token expired"),
    "invalid": (40014, "invalid access_token"),
    "rate": (45009, "api freq out of limit"),
    "busy": (-1, "system busy"),
}


class Provider:
    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.token_requests: dict[str, int] = defaultdict(int)
        self.messages: dict[str, list[dict]] = defaultdict(list)
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.invalid_users: set[str] = {"nobody"}
        self.robot_times: dict[str, list[float]] = defaultdict(list)
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self._seq = itertools.count(1)

    def new_token(self, kind: str) -> str:
        token = f"{kind}-token-{next(self._seq)}"
        self.tokens.add(token)
        self.token_requests[kind] += 1
        return token

    def expire_all(self) -> None:
        self.tokens.clear()


def _sign(secret: str, stamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def handler_for(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _answer(self, payload: dict, status: int = 200) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _fault(self, endpoint: str) -> bool:
            with provider.lock:
                queue = provider.faults[endpoint]
                fault = queue.pop(0) if queue else None
            if fault is None:
                return False
            if fault == "5xx":
                self._answer({"errcode": -1, "errmsg": "bad gateway"}, status=502)
            else:
                if fault in ("expire", "invalid"):
                    provider.expire_all()
                code, message = ERRORS[fault]
                self._answer({"errcode": code, "errmsg": message})
            return True

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            provider.requests.append(url.path)
            if url.path == "/cgi-bin/gettoken":
                if (query.get("corpid"), query.get("corpsecret")) != (CORP_ID, CORP_SECRET):
                    return self._answer({"errcode": 40001, "errmsg": "invalid credential"})
                token = provider.new_token("wecom")
                return self._answer(
                    {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
                )
            if url.path == "/gettoken":
                if (query.get("appkey"), query.get("appsecret")) != (APP_KEY, APP_SECRET):
                    return self._answer({"errcode": 40089, "errmsg": "invalid appkey or appsecret"})
                token = provider.new_token("dingtalk")
                return self._answer(
                    {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
                )
            self._answer({"errcode": 404, "errmsg": "not found"}, status=404)

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            provider.requests.append(url.path)
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return self._answer({"errcode": 40016, "errmsg": "invalid json"})
            if url.path == "/cgi-bin/message/send":
                return self._wecom_send(query, body)
            if url.path == "/topapi/message/corpconversation/asyncsend_v2":
                return self._ding_send(query, body)
            if url.path == "/cgi-bin/webhook/send":
                return self._wecom_robot(query, body)
            if url.path == "/robot/send":
                return self._ding_robot(query, body)
            self._answer({"errcode": 404, "errmsg": "not found"}, status=404)

        def _wecom_send(self, query: dict, body: dict) -> None:
            if self._fault("wecom_send"):
                return None
            if query.get("access_token") not in provider.tokens:
                return self._answer({"errcode": 40014, "errmsg": "invalid access_token"})
            if str(body.get("agentid")) != AGENT_ID:
                return self._answer({"errcode": 40056, "errmsg": "invalid agentid"})
            content = body.get("markdown", {}).get("content", "")
            if len(content.encode()) > 2048:
                return self._answer({"errcode": 45002, "errmsg": "content size out of limit"})
            users = str(body.get("touser", "")).split("|")
            bad = [u for u in users if u in provider.invalid_users]
            if bad and len(bad) == len(users):
                return self._answer({"errcode": 81013, "errmsg": "user & party & tag all invalid"})
            provider.messages["wecom"].append(body)
            return self._answer(
                {
                    "errcode": 0,
                    "errmsg": "ok",
                    "invaliduser": "|".join(bad),
                    "msgid": f"msg{len(provider.messages['wecom'])}",
                }
            )

        def _ding_send(self, query: dict, body: dict) -> None:
            if self._fault("ding_send"):
                return None
            if query.get("access_token") not in provider.tokens:
                return self._answer({"errcode": 40014, "errmsg": "不合法的access_token"})
            if str(body.get("agent_id")) != DING_AGENT:
                return self._answer({"errcode": 400002, "errmsg": "无效的agent_id"})
            if body.get("userid_list") in provider.invalid_users:
                return self._answer({"errcode": 33012, "errmsg": "无效的USERID"})
            provider.messages["dingtalk"].append(body)
            return self._answer(
                {
                    "errcode": 0,
                    "errmsg": "ok",
                    "task_id": 256271667526,
                    "request_id": "4jzllmte0wau",
                }
            )

        def _robot_limit(self, key: str) -> bool:
            now = time.monotonic()
            with provider.lock:
                recent = [t for t in provider.robot_times[key] if now - t < 60]
                provider.robot_times[key] = recent
                if len(recent) >= 20:
                    return True
                recent.append(now)
            return False

        def _wecom_robot(self, query: dict, body: dict) -> None:
            if self._fault("wecom_robot"):
                return None
            if query.get("key") != ROBOT_KEY:
                return self._answer({"errcode": 93000, "errmsg": "invalid webhook url"})
            content = body.get("markdown", {}).get("content", "")
            if len(content.encode()) > 4096:
                return self._answer(
                    {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
                )
            if self._robot_limit("wecom"):
                return self._answer({"errcode": 45009, "errmsg": "api freq out of limit"})
            provider.messages["wecom_robot"].append(body)
            return self._answer({"errcode": 0, "errmsg": "ok"})

        def _ding_robot(self, query: dict, body: dict) -> None:
            if self._fault("ding_robot"):
                return None
            if query.get("access_token") != DING_ROBOT_TOKEN:
                return self._answer({"errcode": 300001, "errmsg": "token is not exist"})
            stamp, sign = query.get("timestamp", ""), query.get("sign", "")
            if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > 3_600_000:
                return self._answer({"errcode": 310000, "errmsg": "invalid timestamp"})
            if sign != _sign(DING_ROBOT_SECRET, stamp):
                return self._answer({"errcode": 310000, "errmsg": "sign not match"})
            text = body.get("markdown", {}).get("text", "")
            if KEYWORD not in text and KEYWORD not in body.get("markdown", {}).get("title", ""):
                return self._answer({"errcode": 310000, "errmsg": "keywords not in content"})
            if self._robot_limit("ding"):
                return self._answer(
                    {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
                )
            provider.messages["dingtalk_robot"].append(body)
            return self._answer({"errcode": 0, "errmsg": "ok"})

    return Handler


class ProviderServer:
    def __init__(self) -> None:
        self.provider = Provider()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(self.provider))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ProviderServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def wecom_robot_url(self) -> str:
        return f"{self.url}/cgi-bin/webhook/send?key={ROBOT_KEY}"

    @property
    def ding_robot_url(self) -> str:
        return f"{self.url}/robot/send?access_token={DING_ROBOT_TOKEN}"
