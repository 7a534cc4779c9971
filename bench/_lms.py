"""The emulated LMS for benchmarks, in its own process: one course, a registered tool, and a
small endpoint that starts a launch (what clicking a link in the LMS does)."""

from __future__ import annotations

import argparse

from flask import jsonify, request
from werkzeug.serving import make_server

from lti_tool.demo_lms.app import create_platform_app
from lti_tool.demo_lms.platform import Platform


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tool-base", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--deployment", required=True)
    parser.add_argument("--flavour", default="canvas")
    parser.add_argument("--students", type=int, default=50)
    args = parser.parse_args()

    platform = Platform(args.flavour, base_url=f"http://127.0.0.1:{args.port}",
                        platform_storage=False)
    tool = platform.register_tool(
        login_url=args.tool_base + "/lti/login",
        redirect_uris=[args.tool_base + "/lti/launch"],
        jwks_url=args.tool_base + "/.well-known/jwks.json",
        target_link_uri=args.tool_base + "/lti/launch",
        client_id=args.client_id,
        deployment_ids=[args.deployment],
    )
    course = platform.add_course(title="Benchmark Course")
    teacher = platform.add_user("Bench", "Teacher")
    platform.enrol(course, teacher, "Instructor")
    students = platform.add_members(course, args.students)
    link = platform.add_resource_link(course, tool, title="Bench project")
    app = create_platform_app(platform)

    @app.get("/bench/initiate")
    def initiate():  # type: ignore[no-untyped-def]
        index = int(request.args.get("i", "0"))
        user = teacher if index % 10 == 0 else students[index % len(students)]
        start = platform.login_initiation(tool, user, course, resource_link=link)
        return jsonify({"method": start.method, "url": start.url, "params": start.params})

    @app.get("/bench/info")
    def info():  # type: ignore[no-untyped-def]
        return jsonify({
            "issuer": platform.issuer, "auth_url": platform.auth_url,
            "token_url": platform.token_url, "jwks_url": platform.jwks_url,
        })

    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # One thread, no thread per request: the emulated LMS shares the two cores with the tool
    # and the load generator, and a launch never makes the LMS wait on the tool.
    make_server("127.0.0.1", args.port, app, threaded=False).serve_forever()


if __name__ == "__main__":
    main()
