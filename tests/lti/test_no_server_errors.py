"""Whatever a stranger sends to whichever address, the answer is never a 500."""

from __future__ import annotations

from flask import Flask

PAYLOADS = [
    {},
    {"state": "x", "id_token": "a.b.c"},
    {"lt": "garbage"},
    {"ticket": "x", "state": "y"},
    {"iss": "x", "login_hint": "y", "client_id": "z", "target_link_uri": "javascript:alert(1)"},
    {"rt": "x", "openid_configuration": "ftp://x", "registration_token": "t"},
    {"q": "'; drop table course; --", "page": "-1", "per_page": "100000", "sort": "nope"},
]


def test_no_route_answers_garbage_with_a_server_error(app: Flask) -> None:
    client = app.test_client()
    failures = []
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    for rule in rules:
        path = rule.rule
        for arg in rule.arguments:
            for converter in (f"<int:{arg}>", f"<path:{arg}>", f"<{arg}>"):
                path = path.replace(converter, "999999" if converter.startswith("<int") else "nope")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for payload in PAYLOADS:
                response = client.open(
                    path, method=method,
                    data=payload if method == "POST" else None,
                    query_string=payload if method == "GET" else None,
                )
                if response.status_code >= 500:
                    failures.append((method, path, payload, response.status_code))
    assert len(rules) > 50
    assert failures == []
