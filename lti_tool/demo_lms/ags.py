"""AGS 2.0 HTTP endpoints (line items, scores, results) on each flavour's URL shapes."""

from __future__ import annotations

from flask import Flask, Response, request

from . import line_items, results, scores
from .platform import Platform
from .services import json_body, request_url, service_course, service_response, service_tool
from .vocab import (
    MT_LINEITEM,
    MT_LINEITEMS,
    MT_RESULTS,
    MT_SCORE,
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_RO,
    SCOPE_RESULT_RO,
    SCOPE_SCORE,
)

READ = (SCOPE_LINEITEM, SCOPE_LINEITEM_RO)
WRITE = (SCOPE_LINEITEM,)


def register(app: Flask, platform: Platform) -> None:
    """Add the AGS routes for the platform's flavour."""
    rule = platform.endpoints.rule
    app.add_url_rule(rule("line_items"), "ags_line_items", line_items_view, methods=["GET", "POST"])
    app.add_url_rule(rule("line_item"), "ags_line_item", line_item_view, methods=["GET", "PUT", "DELETE"])
    app.add_url_rule(rule("scores"), "ags_scores", scores_view, methods=["POST"])
    app.add_url_rule(rule("results"), "ags_results", results_view, methods=["GET"])
    if platform.endpoints.result:
        app.add_url_rule(rule("result"), "ags_result", result_view, methods=["GET"])


def line_items_view(cid: str) -> Response:
    """GET the tool's line items; POST a new one."""
    platform, tool = service_tool(READ if request.method == "GET" else WRITE)
    course = service_course(platform, cid)
    if request.method == "GET":
        args = request.args.to_dict()
        page = line_items.list_items(platform, tool, course, args, request_url(platform))
        return service_response(platform, page.items, MT_LINEITEMS, link=page.link)
    item = line_items.create(platform, tool, course, json_body())
    status = 200 if platform.is_canvas else 201
    body = line_items.to_json(platform, item)
    return service_response(platform, body, MT_LINEITEM, status=status)


def line_item_view(cid: str, item: str) -> Response:
    """GET, PUT or DELETE one line item (only the tool that owns it)."""
    platform, tool = service_tool(READ if request.method == "GET" else WRITE)
    found = line_items.find(platform, tool, service_course(platform, cid), item)
    if request.method == "DELETE":
        line_items.delete(platform, found)
        return service_response(platform, None, MT_LINEITEM, status=204)
    if request.method == "PUT":
        line_items.update(platform, found, json_body())
    return service_response(platform, line_items.to_json(platform, found), MT_LINEITEM)


def scores_view(cid: str, item: str) -> Response:
    """POST a score."""
    platform, tool = service_tool((SCOPE_SCORE,))
    found = line_items.find(platform, tool, service_course(platform, cid), item)
    raw = request.get_data(as_text=True)
    status, body = scores.post_score(platform, found, raw, request.headers.get("Content-Type"))
    return service_response(platform, body, MT_SCORE if body else "text/plain", status=status)


def results_view(cid: str, item: str) -> Response:
    """GET the results of a line item."""
    platform, tool = service_tool((SCOPE_RESULT_RO,))
    found = line_items.find(platform, tool, service_course(platform, cid), item)
    args = request.args.to_dict()
    page = results.list_results(platform, found, args, request_url(platform))
    return service_response(platform, page.items, MT_RESULTS, link=page.link)


def result_view(cid: str, item: str, rid: str) -> Response:
    """GET one result (Canvas's resultUrl)."""
    platform, tool = service_tool((SCOPE_RESULT_RO,))
    found = line_items.find(platform, tool, service_course(platform, cid), item)
    body = results.show(platform, found, rid)
    return service_response(platform, body, "application/vnd.ims.lis.v2.result+json")
