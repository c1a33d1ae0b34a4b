"""Where a cache miss spends its time, per page: total, SQL, and each statement's time, in-process without Redis.

Not a test: it prints figures for the database and config a bench/run left in bench/work (the same pages as its table).
Usage: .venv/bin/python bench/misses.py [--backend sqlite|postgresql] [--items 20000] [--statements] [--profile] [path ...]
(--profile sorts by own time; SORT=cumulative and TOP=60 in the environment change that)
"""
from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import statistics
import time

import bench


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--subject", default="demo-jenv-0", help="the user to sign in as (generate-demo's JenV coordinator)")
    parser.add_argument("--statements", action="store_true", help="print each statement of one request with its time")
    parser.add_argument("--profile", action="store_true", help="cProfile ten requests, by own time")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()

    from sqlalchemy import event

    url = bench.database_url(args.backend, args.items)
    _app, client, engine = bench.in_process(url, bench.WORK / "portal.toml", args.subject)
    logging.getLogger("portal.request").disabled = True
    spent: list[tuple[float, str]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        context.bench_started = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        if bench.counted(statement):
            spent.append(((time.perf_counter() - context.bench_started) * 1000, statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    for path in args.paths or bench.page_paths(*bench.busiest(url)).values():
        response = client.get(path)
        if response.status_code != 200:
            print(f"{path}: {response.status_code}")
            continue
        totals, sql = [], []
        for _ in range(15):
            spent.clear()
            started = time.perf_counter()
            client.get(path)
            totals.append((time.perf_counter() - started) * 1000)
            sql.append(sum(ms for ms, _ in spent))
        print(f"{path:50s} total {statistics.median(totals):6.1f} ms   SQL {statistics.median(sql):6.1f} ms   statements {len(spent)}")
        if args.statements:
            spent.clear()
            client.get(path)
            for ms, statement in spent:
                print(f"    {ms:6.2f} ms  {' '.join(statement.split())[:160]}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(10):
                client.get(path)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(int(os.environ.get("TOP", "25")))


if __name__ == "__main__":
    main()
