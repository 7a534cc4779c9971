"""Launch benchmark: the tool under uWSGI (production settings, PostgreSQL + Redis) and
the emulated LMS in its own process; N complete launches (login initiation, auth redirect,
id_token post answered with the landing page) from C concurrent clients.

Prints launches/s, latency percentiles, and the CPU milliseconds the tool's own processes
(uWSGI's master and workers, read from /proc) spent per launch; also that CPU over the
emulated LMS's, which compares runs made while the shared machine ran at different paces.

The tool is started as an operator starts it, with `microbridge serve` (uWSGI and its access
log), once per worker count given with --workers: a number, or
`default` for what `serve` chooses by itself on this machine. On a 2-core machine the tool
shares the cores with the emulated LMS and the load generator: every worker beyond what the
cores can keep busy adds context switches and cache misses that show up as more CPU per
launch for the same work. Every count's figures are printed, so `serve`'s default can be
checked against the best count on the machine at hand.

It uses its own PostgreSQL database (microbridge_bench_launch) and Redis database number
(``--redis-db``), and wipes nothing it did not create (bench/_own.py).

    .venv/bin/python bench/launch.py [-n 1000] [-c 8] [--runs 3] [--workers default,1,2] [--redis-db 11]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _own  # noqa: E402

PY = sys.executable
BENCH = "launch"
CLIENT_ID = "10000000000077"
DEPLOYMENT = "77:bench"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def cpu_ms(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * 1000 / TICKS


def tool_pids(master: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{master}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(p) for p in text)
    return [master, *children]


class Http:
    """A lean HTTP/1.1 client (http.client, one connection per request as the tool's sync
    workers close them): the load generator shares the two cores with the tool and the LMS,
    so the less CPU it burns, the less it disturbs what is measured."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def send(self, method: str, target: str, body: str = "", headers: dict[str, str] | None = None
             ) -> tuple[int, http.client.HTTPMessage, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            all_headers = {"Connection": "close", **(headers or {})}
            if body:
                all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, target, body=body or None, headers=all_headers)
            answer = conn.getresponse()
            return answer.status, answer.headers, answer.read().decode()
        finally:
            conn.close()


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def one_launch(lms: Http, tool: Http, index: int) -> float:
    start = time.perf_counter()
    status, _, text = lms.send("GET", f"/bench/initiate?i={index}")
    init = json.loads(text)
    path = urlsplit(init["url"]).path
    if init["method"] == "GET":
        status, headers, text = tool.send("GET", f"{path}?{urlencode(init['params'])}")
    else:
        status, headers, text = tool.send("POST", path, urlencode(init["params"]))
    assert status == 302, re.findall(r"<p>(.*?)</p>", text)
    # The partitioned state cookie, sent back as a browser would (loopback counts as secure).
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    status, _, text = lms.send("GET", _path(headers["Location"]))
    fields = {k: unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', text)}
    # The launch answers with its landing page (named in Content-Location), not a redirect.
    status, headers, text = tool.send("POST", "/lti/launch", urlencode(fields), {"Cookie": cookie})
    assert status == 200 and headers["Content-Location"], re.findall(r"<p>(.*?)</p>", text)
    return time.perf_counter() - start


def run(n: int, c: int, lms: str, tool: str, offset: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(offset, offset + n))

    lms_http, tool_http = Http(lms), Http(tool)

    def worker() -> None:
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                return
            took = one_launch(lms_http, tool_http, index)
            with lock:
                latencies.append(took)

    threads = [threading.Thread(target=worker) for _ in range(c)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def measure(n: int, c: int, lms_pid: int, tool_pid: int, lms: str, tool: str, offset: int
            ) -> dict[str, float]:
    pids = tool_pids(tool_pid)
    others = [lms_pid, os.getpid()]
    cpu_before, t0 = cpu_ms(pids), time.perf_counter()
    lms_before, client_before = (cpu_ms([pid]) for pid in others)
    latencies = run(n, c, lms, tool, offset)
    elapsed = time.perf_counter() - t0
    return {
        "launches/s": n / elapsed, "p50 ms": pct(latencies, 50),
        "p95 ms": pct(latencies, 95), "p99 ms": pct(latencies, 99),
        "tool CPU ms/launch": (cpu_ms(pids) - cpu_before) / n,
        # Not the tool's: the emulated LMS and this load generator share the machine.
        "LMS CPU ms/launch": (cpu_ms([others[0]]) - lms_before) / n,
        "client CPU ms/launch": (cpu_ms([others[1]]) - client_before) / n,
    }


def with_pace(figures: dict[str, float]) -> dict[str, float]:
    """``figures`` with the tool's CPU per launch over the emulated LMS's in the same run.

    This shared machine's pace moves by a fifth within minutes, and both processes' CPU
    moves with it while the LMS's work per launch stays the same: the quotient compares
    runs made at different paces (code against code) where raw milliseconds cannot.
    """
    return {**figures, "tool/LMS CPU": figures["tool CPU ms/launch"] / figures["LMS CPU ms/launch"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("-n", type=int, default=1000, help="launches per run")
    parser.add_argument("-c", type=int, default=8, help="concurrent clients")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="default,1,2",
                        help="worker process counts to measure; `default` is serve's own choice")
    parser.add_argument("--redis-db", type=int, default=11, help="this bench's Redis database (1-13)")
    args = parser.parse_args()
    worker_counts = [count.strip() for count in args.workers.split(",")]
    if any(count != "default" and not count.isdigit() for count in worker_counts):
        parser.error("--workers takes whole numbers and `default`, comma-separated")

    lock = _own.single_run(BENCH)  # noqa: F841 (held until the process ends)
    redis_url = _own.claim_redis(BENCH, args.redis_db)
    db_url = _own.fresh_database(BENCH)
    tool_port, lms_port = free_port(), free_port()
    tool, lms = f"http://127.0.0.1:{tool_port}", f"http://127.0.0.1:{lms_port}"
    instance = ROOT / ".bench" / "launch-instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "MICROBRIDGE_DATABASE_URL": db_url, "MICROBRIDGE_REDIS_URL": redis_url,
        "MICROBRIDGE_INSTANCE_PATH": str(instance), "MICROBRIDGE_BASE_URL": tool,
        "MICROBRIDGE_SECRET_KEY": "bench-secret-key", "MICROBRIDGE_LOG_LEVEL": "WARNING",
        "MICROBRIDGE_EGRESS_ALLOW_PRIVATE": "true",  # the bench LMS listens on loopback
        # serve refuses to start without a mail server; nothing is mailed during launches.
        "MICROBRIDGE_SMTP_URL": "smtp://127.0.0.1:25",
    }
    cli = [PY, "-m", "lti_tool.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
    lms_proc = subprocess.Popen(
        [PY, str(ROOT / "bench" / "_lms.py"), "--port", str(lms_port), "--tool-base", tool,
         "--client-id", CLIENT_ID, "--deployment", DEPLOYMENT], env=env,
    )
    tool_proc = None
    try:
        wait_for(lms + "/bench/info")
        info = requests.get(lms + "/bench/info", timeout=5).json()
        subprocess.run(
            [*cli, "platform", "add", "--issuer", info["issuer"], "--client-id", CLIENT_ID,
             "--auth-url", info["auth_url"], "--token-url", info["token_url"],
             "--jwks-url", info["jwks_url"], "--flavour", "canvas", "--deployment", DEPLOYMENT],
            env=env, check=True, capture_output=True,
        )
        # Rounds: each count is measured once per round, so a busy spell on the shared machine
        # weighs on every count alike instead of on whichever ran during it.
        figures: dict[str, list[dict[str, float]]] = {count: [] for count in worker_counts}
        labels = dict(zip(worker_counts, worker_counts, strict=True))
        offset = 0
        for number in range(args.runs):
            for count in worker_counts:
                chosen = [] if count == "default" else ["--workers", count]
                tool_proc = start_tool([*cli, "serve", "--host", "127.0.0.1", "--port", str(tool_port),
                                        *chosen], env, tool)
                run(100, args.c, lms, tool, offset)  # warm-up: connections, caches, JWKS
                offset += 100
                if count == "default":
                    labels[count] = f"default ({len(tool_pids(tool_proc.pid)) - 1})"
                figures[count].append(with_pace(measure(args.n, args.c, lms_proc.pid, tool_proc.pid,
                                                        lms, tool, offset)))
                offset += args.n
                print(f"round {number + 1}, workers {labels[count]}: "
                      + ", ".join(f"{k} {v:.2f}" for k, v in figures[count][-1].items()), flush=True)
                stop(tool_proc)
                tool_proc = None
        report(figures, labels, args)
    finally:
        for proc in (tool_proc, lms_proc):
            if proc is not None:
                stop(proc)
        _own.release_redis(BENCH, args.redis_db)
        _own.drop_database(BENCH)


def start_tool(command: list[str], env: dict[str, str], tool: str) -> subprocess.Popen[bytes]:
    # The access log and uWSGI's own lines go where an operator's would: a file, here.
    log = (ROOT / ".bench" / "launch-serve.log").open("wb")
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            if requests.get(tool + "/healthz", timeout=1).status_code < 500:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"the tool did not come up: {' '.join(command)} (see .bench/launch-serve.log)")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait(timeout=10)


def report(figures: dict[str, list[dict[str, float]]], labels: dict[str, str],
           args: argparse.Namespace) -> None:
    medians = {count: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
               for count, runs in figures.items()}
    best = min(m["tool CPU ms/launch"] for m in medians.values())
    print(f"\nmedians of {args.runs} rounds (N={args.n}, C={args.c}); tool CPU against the best count:")
    for count, median in medians.items():
        print(f"workers {labels[count]}:")
        for key, value in median.items():
            print(f"  {key:20s} {value:8.2f}")
        print(f"  {'vs best tool CPU':20s} {100 * (median['tool CPU ms/launch'] / best - 1):+7.1f} %")


if __name__ == "__main__":
    main()
