"""The mixed load of a working MDT: clients signed in as members of different organisations, one request in 20 a real
write (progress update, comment or item edit through the API), the rest reads spread over the pages people use.
Run from bench.py; each client is a process (no shared GIL with the others), on one keep-alive connection.

Two ways to run it: without pauses (each client sends its next request the moment the last one is answered: the
throughput of the machine, and a p95 that is mostly waiting in line), and paced (each client pauses between requests,
exponentially distributed around `pause` seconds, as people do: the latency a working team gets)."""
from __future__ import annotations

import random
import time
from concurrent.futures import ProcessPoolExecutor

import requests

WRITE_SHARE = 20  # one request in 20 is a write


def _client(args) -> list[tuple[str, float, int]]:
    base, cookie, reads, own_items, seconds, seed, pause = args
    rng = random.Random(seed)
    session = requests.Session()
    session.headers["Cookie"] = cookie
    csrf = session.get(f"{base}/api/v1/me", timeout=10).json()["csrf_token"]
    out: list[tuple[str, float, int]] = []
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        n += 1
        if pause:
            time.sleep(rng.expovariate(1 / pause))
        if n % WRITE_SHARE == 0 and own_items:
            item = rng.choice(own_items)
            url = f"{base}/api/v1/action-items/{item}"
            etag = session.get(url, timeout=10).headers.get("ETag", '"1"')
            kind = rng.choice(("progress update", "comment", "item edit"))
            headers = {"X-CSRFToken": csrf, "If-Match": etag}
            started = time.perf_counter()
            if kind == "progress update":
                response = session.post(f"{url}/updates", json={"note": f"Voortgang {n}", "progress": rng.randint(1, 99)},
                                        headers=headers, timeout=30)
            elif kind == "comment":
                response = session.post(f"{url}/comments", json={"body": f"Opmerking {n}"}, headers=headers, timeout=30)
            else:
                response = session.patch(url, json={"title": f"Actie bijgewerkt {n}"}, headers=headers, timeout=30)
            status = 200 if response.status_code == 412 else response.status_code  # a lost race is a correct answer
            out.append(("write: " + kind, (time.perf_counter() - started) * 1000, status))
            continue
        name, path = rng.choice(reads)
        started = time.perf_counter()
        response = session.get(base + path, timeout=30)
        out.append((name, (time.perf_counter() - started) * 1000, response.status_code))
    return out


def run(base: str, clients: list[tuple[str, list[tuple[str, str]], list[int]]], seconds: int, pause: float = 0.0) -> dict:
    """clients: (cookie, reads as (name, path), ids of items the client's organisation owns); pause: the mean seconds a
    client waits before each request (0: none). Returns the figures."""
    jobs = [(base, cookie, reads, own, seconds, i, pause) for i, (cookie, reads, own) in enumerate(clients)]
    with ProcessPoolExecutor(max_workers=len(jobs)) as pool:
        samples = [s for result in pool.map(_client, jobs) for s in result]
    def pct(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(len(values) * p / 100))] if values else 0.0
    all_ms = [ms for _n, ms, _s in samples]
    writes = [ms for n, ms, _s in samples if n.startswith("write")]
    per_kind = {}
    for name in sorted({n for n, _m, _s in samples}):
        ms = [m for n, m, _s in samples if n == name]
        per_kind[name] = {"n": len(ms), "p50": pct(ms, 50), "p95": pct(ms, 95)}
    return {"clients": len(jobs), "seconds": seconds, "pause": pause, "requests": len(samples), "rps": len(samples) / seconds,
            "p50": pct(all_ms, 50), "p95": pct(all_ms, 95), "writes": len(writes), "write_p95": pct(writes, 95),
            "errors": sum(1 for _n, _m, s in samples if s >= 400), "per_kind": per_kind}
