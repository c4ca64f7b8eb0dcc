"""API plumbing: the smorest Api, bearer-token access rules and JSON errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import flask_smorest
from flask import abort, g, jsonify, request
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, missing
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from crm.auth.services import user_for_token
from crm.core.access import AccessRule

F = TypeVar("F", bound=Callable[..., Any])
API_PREFIX = "/api/v1"


class CrmApi(flask_smorest.Api):
    """flask-smorest's Api, leaving error pages to the app (HTML outside /api, JSON inside)."""

    def _register_error_handlers(self) -> None:
        return None

    def _openapi_json(self) -> Any:
        """The document, saying also what the request boundary refuses in every text."""
        return jsonify(document_text_rules(self.spec.to_dict()))


TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"  # crm.core.boundary.CONTROL_RE


def document_text_rules(node: Any) -> Any:
    """Give every free text of the document the pattern the boundary enforces (no control
    characters but tab and line breaks); enumerations, formats and own patterns keep theirs."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"enum", "format", "pattern"} & node.keys():
            node["pattern"] = TEXT_PATTERN
        for value in node.values():
            document_text_rules(value)
    elif isinstance(node, list):
        for value in node:
            document_text_rules(value)
    return node


class BodyRequiredParser(FlaskParser):
    """webargs' Flask parser, refusing a request without the JSON body its operation requires
    (the document marks every JSON body required; an empty PATCH is not "change nothing")."""

    def load_json(self, req: Any, schema: Any) -> Any:
        data = super().load_json(req, schema)
        if data is missing and req.method in ("POST", "PUT", "PATCH"):
            raise ValidationError("缺少 JSON 请求体")
        return data


class Blueprint(flask_smorest.Blueprint):
    """The API's blueprints: flask-smorest's, with :class:`BodyRequiredParser`."""

    ARGUMENTS_PARSER = BodyRequiredParser()


api = CrmApi(spec_kwargs={"info": {"description": "招商引资管理平台的 JSON 接口。"}})


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX + "/") or request.path == API_PREFIX


def api_allow(*roles: str) -> Callable[[F], F]:
    """Require a valid bearer token of a user with one of ``roles``."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _sep, token = header.partition(" ")
            user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
            if user is None:
                abort(401)
            if user.role not in roles:
                abort(403)
            g.api_user = user
            return view(*args, **kwargs)

        wrapper.access_rule = AccessRule(roles=frozenset(roles), api=True)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


ERROR_MESSAGES = {
    400: _l("请求格式不正确"),
    401: _l("需要有效的 API 令牌（Authorization: Bearer …）"),
    403: _l("没有权限执行此操作"),
    404: _l("未找到该资源"),
    405: _l("不支持该请求方法"),
    409: _l("数据已被他人修改，请刷新后重试"),
    413: _l("上传内容过大"),
    414: _l("请求的网址过长"),
    415: _l("请求内容类型不受支持"),
    422: _l("提交的数据未通过校验"),
    429: _l("请求过于频繁，请稍后再试"),
    500: _l("服务器内部错误"),
}


def json_error(exc: HTTPException) -> Any:
    """An HTTP error as a JSON body: code, status, message and field errors when present."""
    code = exc.code or 500
    body: dict[str, Any] = {
        "code": code,
        "status": exc.name,
        "message": getattr(exc, "message", None) or str(ERROR_MESSAGES.get(code, exc.name)),
    }
    data = getattr(exc, "data", None) or {}
    if isinstance(data, dict) and data.get("messages"):
        body["errors"] = data["messages"]
    description = getattr(exc, "description", None)
    if isinstance(description, dict):
        body["errors"] = description
    response = jsonify(body)
    response.status_code = code
    if getattr(exc, "valid_methods", None):  # 405 says which methods the URL takes
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
