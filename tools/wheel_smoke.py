"""Build the wheel, install it (not editable) into a throwaway virtualenv, and run it from
another directory: `microbridge db upgrade` finds its migrations, `microbridge serve` and
`microbridge demo` serve a templated page and a static file, and every top-level package is
imported from the installed files, not from this checkout.

Run by .ci/run: `python tools/wheel_smoke.py` (exit status 0 when everything holds).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "catalog", "grading", "lti_tool", "templates")


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=cwd, env=env, check=True)  # noqa: S603 (our own argv)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, *, within: float = 60.0) -> tuple[int, str, bytes]:
    deadline = time.monotonic() + within
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (loopback only)
                return answer.status, answer.headers.get("Content-Type", ""), answer.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@contextmanager
def running(*args: str | Path, cwd: Path, env: dict[str, str]) -> Iterator[None]:
    print("+", " ".join(str(a) for a in args), "&", flush=True)
    process = subprocess.Popen(  # noqa: S603 (our own argv)
        [str(a) for a in args], cwd=cwd, env=env, start_new_session=True
    )
    try:
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def expect(url: str, *, content_type: str, contains: bytes) -> None:
    status, kind, body = fetch(url)
    assert status == 200, f"{url}: HTTP {status}"
    assert kind.startswith(content_type), f"{url}: Content-Type {kind!r}, wanted {content_type}"
    assert contains in body, f"{url}: {contains!r} not in the page"
    print(f"ok  {url} ({kind}, {len(body)} bytes)", flush=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="microbridge-wheel-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MICROBRIDGE_", "PYTHON"))}
        env.update(MICROBRIDGE_INSTANCE_PATH=str(work / "instance"), PYTHONDONTWRITEBYTECODE="1")
        run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist",
            ROOT, cwd=work, env=env)
        shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' scratch copy
        wheel = next((work / "dist").glob("microbridge-*.whl"))
        run(sys.executable, "-m", "venv", work / "venv", cwd=work, env=env)
        bin_dir = work / "venv" / "bin"
        run(bin_dir / "pip", "install", "--quiet", wheel, cwd=work, env=env)

        # Every top-level package comes from the installed files (the run is outside the checkout).
        check = (
            "import importlib, sys\n"
            f"for name in {PACKAGES!r}:\n"
            "    path = importlib.import_module(name).__file__\n"
            "    assert '/site-packages/' in path, (name, path)\n"
            "print('ok  packages import from', path.rsplit('/', 2)[0])\n"
        )
        run(bin_dir / "python", "-c", check, cwd=work, env=env)
        run(bin_dir / "microbridge", "db", "upgrade", cwd=work, env=env)

        port = free_port()
        # serve refuses to start without a mail server; nothing is mailed here.
        serve_env = {**env, "MICROBRIDGE_BASE_URL": f"http://127.0.0.1:{port}",
                     "MICROBRIDGE_SMTP_URL": "smtp://127.0.0.1:2525"}
        with running(bin_dir / "microbridge", "serve", "--host", "127.0.0.1", "--port", str(port),
                     "--workers", "1", cwd=work, env=serve_env):
            expect(f"http://127.0.0.1:{port}/", content_type="text/html", contains=b"Microbridge")
            expect(f"http://127.0.0.1:{port}/static/microbridge.css", content_type="text/css",
                   contains=b"{")

        tool_port, lms_port = free_port(), free_port()
        demo_env = {**env, "MICROBRIDGE_INSTANCE_PATH": str(work / "demo-instance")}
        with running(bin_dir / "microbridge", "demo", "--tool-port", str(tool_port),
                     "--lms-port", str(lms_port), cwd=work, env=demo_env):
            expect(f"http://localhost:{lms_port}/canvas/", content_type="text/html", contains=b"<html")
            expect(f"http://127.0.0.1:{tool_port}/", content_type="text/html", contains=b"Microbridge")
            expect(f"http://127.0.0.1:{tool_port}/static/js/platform_storage.js",
                   content_type="text/javascript", contains=b"postMessage")
    print("wheel smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
