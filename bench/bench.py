"""The portal under gunicorn, measured with wrk on loopback; see bench/run. Not a test: it prints figures."""
from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urljoin

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,20000").split(",")]
BACKENDS = os.environ.get("BENCH_BACKENDS", "postgresql,sqlite").split(",")
SECONDS = int(os.environ.get("BENCH_SECONDS", "3"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))  # this VM's run-to-run spread is large: report medians
PAGES = [p for p in os.environ.get("BENCH_PAGES", "").split(",") if p]  # only these pages (names as in the table); all when empty
PORT, IDP_PORT = 8731, 5301
WORK = ROOT / "bench" / "work"


def run(cmd, env=None, **kw):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True, **kw)


def database_url(backend: str, size: int) -> str:
    """Where the run keeps the database of a backend and size (bench/misses.py reads the same one)."""
    if backend == "sqlite":
        return f"sqlite:///{WORK / f'bench-{size}.db'}"
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/portal_bench_{size}"


def database(backend: str, size: int) -> str:
    """An empty database for a run."""
    url = database_url(backend, size)
    if backend == "sqlite":
        (WORK / f"bench-{size}.db").unlink(missing_ok=True)
        return url
    name = f"portal_bench_{size}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def env_for(url: str, config: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(DATABASE_URL=url, REDIS_URL=REDIS_URL, SECRET_KEY="bench-" + "x" * 40, PORTAL_CONFIG=str(config),
               PORTAL_BASE_URL=f"http://127.0.0.1:{PORT}", FLASK_APP="wsgi")
    return env


def prepare(url: str, size: int, config: Path) -> float:
    env = env_for(url, config)
    run([BIN / "flask", "portal", "migrate"], env)
    run([BIN / "flask", "portal", "load-reference"], env)
    started = time.perf_counter()
    run([BIN / "flask", "portal", "generate-demo", "--items", str(size), "--seed", "42"], env)
    seconds = time.perf_counter() - started
    if url.startswith("postgresql"):
        # Measure the steady state, not autovacuum catching up with 200,000 fresh rows in the background.
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    return seconds


PROVIDERS = (("kmar", "KMAR"), ("politie", "POL"), ("ind", "IND"), ("om", "OM"), ("jenv", "JENV"))  # the order of accounts.json
MIXED_SECONDS = int(os.environ.get("BENCH_MIXED_SECONDS", "20"))
MIXED_CLIENTS = int(os.environ.get("BENCH_MIXED_CLIENTS", "8"))
# The paced run: each client waits about this long before each request (8 clients: ~8 req/s offered, the load of some
# 80 people at work at the same moment at one request per ten seconds each); 0 skips it.
MIXED_PAUSE = float(os.environ.get("BENCH_MIXED_PAUSE", "1.0"))
MIXED_PACED_SECONDS = int(os.environ.get("BENCH_MIXED_PACED_SECONDS", "60"))
# Redmine 5 side by side: when installed, or with BENCH_REDMINE=1 (bench/redmine-setup installs it); BENCH_REDMINE=0 skips it.
REDMINE = os.environ.get("BENCH_REDMINE") == "1" or (os.environ.get("BENCH_REDMINE") != "0" and Path("/usr/share/redmine").exists())
REDMINE_PORT = 3100
# The portal's page -> Redmine's matching page (20,000 issues, 100,000 journals; issue 77 has 20).
REDMINE_PAGES = {"healthz (floor)": "/favicon.ico", "action list": "/issues", "action list (filtered)": "/issues?status_id=2",
                 "item with ~20 updates": "/issues/77", "dashboard": "/projects/mdt", "API list": "/issues.json?limit=100"}


def login(base: str, username: str, password: str, provider: str = "jenv") -> str:
    """Through the development OpenID provider, as a person would; returns the portal's session cookie."""
    browser = requests.Session()
    page = browser.get(f"{base}/auth/login/{provider}", timeout=10)
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    browser.post(urljoin(page.url, action), data={"username": username, "password": password}, timeout=10)
    return f"portal={browser.cookies.get('portal')}"


def wrk(url: str, cookie: str, connections: int) -> dict:
    """REPEATS wrk runs; the median of each figure, errors summed."""
    import statistics

    runs = []
    for _ in range(REPEATS):
        out = subprocess.run(["wrk", "-t", "1" if connections == 1 else "2", "-c", str(connections), "-d", f"{SECONDS}s",
                              "-s", str(ROOT / "bench" / "latency.lua"), url],
                             env={**os.environ, "BENCH_COOKIE": cookie}, capture_output=True, text=True, check=True).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return {"rps": statistics.median(r["rps"] for r in runs), "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p95_ms": statistics.median(r["p95_ms"] for r in runs), "errors": sum(r["errors"] for r in runs),
            "non2xx": sum(r["non2xx"] for r in runs)}


def after_invalidation(url: str, cookie: str, rounds: int = 7) -> float:
    """A request right after a write everybody can see has invalidated the shared cache (ms, the median of `rounds`
    on one keep-alive connection: a single request's figure was mostly noise)."""
    from portal.cache import Cache

    cache, browser, spent = Cache(REDIS_URL), requests.Session(), []
    for _ in range(rounds):
        cache.bump()
        started = time.perf_counter()
        browser.get(url, headers={"Cookie": cookie}, timeout=60).raise_for_status()
        spent.append((time.perf_counter() - started) * 1000)
    return sorted(spent)[len(spent) // 2]


def wait_until_up(url: str, seconds: float = 30) -> None:
    """Until the server just started answers url with a 2xx (at most `seconds`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {seconds:.0f} s")


@contextmanager
def bumping(scopes: set | None = None):
    """While inside: the cache generations of `scopes` bumped every millisecond (None: every generation), from a thread of
    this process. It costs the machine about a sixth of a core (Redis and this client), so what runs beside it pays that too."""
    import threading

    from portal.cache import Cache

    stop = threading.Event()
    cache = Cache(REDIS_URL)

    def bump():
        while not stop.is_set():
            cache.bump(scopes)
            time.sleep(0.001)

    thread = threading.Thread(target=bump, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def wrk_defeated(url: str, cookie: str, connections: int = 8, scopes: set | None = None) -> dict:
    """The same wrk run while the cache generations of `scopes` are bumped every millisecond: with None a write everybody
    sees between any two requests (what a page costs when nothing is cached); with one organisation's scopes, what its
    writes cost everyone else (portal.cache invalidates per scope)."""
    with bumping(scopes):
        return wrk(url, cookie, connections)


def bare_floor() -> float:
    """req/s of a bare Flask route (bench/bare.py) under the same gunicorn settings, measured like the portal's floor."""
    port = PORT + 1
    server = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "bench.bare:app"],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        return wrk(f"http://127.0.0.1:{port}/healthz", "", 8)["rps"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def start_redmine() -> subprocess.Popen:
    """Redmine (puma 2 workers x 5 threads, PostgreSQL) on its port for the whole run: each of its matching pages is measured
    right before the portal's, so that both see the machine at the same moment (a shared VM's speed drifts within a run)."""
    run([ROOT / "bench" / "redmine-setup"])
    server = subprocess.Popen(["puma", "-w", "2", "-t", "5:5", "-e", "production", "-b", f"tcp://127.0.0.1:{REDMINE_PORT}", "config.ru"],
                              cwd="/usr/share/redmine", env={**os.environ, "X_DEBIAN_SITEID": "default", "RAILS_ENV": "production"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_up(f"http://127.0.0.1:{REDMINE_PORT}/issues/77")
    for path in REDMINE_PAGES.values():  # warm, as the portal's pages are
        requests.get(f"http://127.0.0.1:{REDMINE_PORT}{path}", timeout=60).raise_for_status()
    return server


def redmine_rps(page: str, bumped: bool = False) -> float:
    """req/s of Redmine's page matching the portal's, measured like the portal's (8 connections); bumped: beside the same
    generation bumper as the portal's 'KMar writing' and 'cache defeated' runs, so that both pay its CPU."""
    with bumping() if bumped else nullcontext():
        rps = wrk(f"http://127.0.0.1:{REDMINE_PORT}{REDMINE_PAGES[page]}", "", 8)["rps"]
    print(json.dumps({"redmine": page, "bumped": bumped, "rps": rps}), flush=True)
    return rps


def own_items(url: str) -> dict[str, list[int]]:
    """Per organisation code: open items it owns (the mixed load's writers edit their own organisation's items)."""
    from sqlalchemy import create_engine, select

    from models import ActionItem, Organisation

    engine = create_engine(url)
    out: dict[str, list[int]] = {}
    with engine.connect() as conn:
        for _provider, code in PROVIDERS:
            out[code] = list(conn.execute(select(ActionItem.id).join(Organisation, Organisation.id == ActionItem.owner_organisation_id)
                                          .where(Organisation.code == code, ActionItem.status.in_(("open", "in_progress")))
                                          .order_by(ActionItem.id).limit(200)).scalars())
    engine.dispose()
    return out


def mixed_load(base: str, url: str, pages: dict[str, str], seconds: int = MIXED_SECONDS, pause: float = 0.0) -> dict:
    import mixed

    people = [login(base, provider, f"{provider}-demo", provider) for provider, _code in PROVIDERS]
    people.append(login(base, "coordinator", "coordinator-demo"))
    owners = [code for _p, code in PROVIDERS] + ["JENV"]
    items = own_items(url)
    reads = [(name, path) for name, path in pages.items() if name != "healthz (floor)"]
    clients = [(people[i % len(people)], reads, items[owners[i % len(owners)]]) for i in range(MIXED_CLIENTS)]
    return mixed.run(base, clients, seconds, pause)


def in_process(url: str, config: Path, user_subject: str):
    """The portal in this process on a bench database, without Redis (every request a cache miss): the app, a test client
    signed in as the user with that subject, and the engine (for statement listeners)."""
    from sqlalchemy import select

    from models import User
    from portal import create_app
    from portal.config import load_settings
    from portal.extensions import Database, db

    app = create_app(load_settings(env={k: v for k, v in env_for(url, config).items() if k.startswith(("PORTAL_", "DATABASE", "SECRET"))}))
    with app.app_context():
        user_id = db.session.scalars(select(User.id).where(User.subject == user_subject)).one()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
    return app, client, Database.state(app).engine


def counted(statement: str) -> bool:
    """A statement the query budget counts (transaction control is not)."""
    return not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))


def statement_counts(url: str, config: Path, paths: dict[str, str], user_subject: str) -> tuple[dict[str, int], dict[str, float], dict[str, float]]:
    """SQL statements per page, counted in-process on the same database; the time spent rendering its templates
    (ms, median of five renders; Jinja and the Python the templates call); and the whole request in-process without
    Redis, i.e. a cache miss (ms, median of the same five; bench/misses.py splits it into statements)."""
    import statistics

    from flask import before_render_template, template_rendered
    from sqlalchemy import event

    app, client, engine = in_process(url, config, user_subject)
    counts, templates, misses = {}, {}, {}
    starts: list[float] = []
    spent: list[float] = []

    def started(_app, template, context):
        starts.append(time.perf_counter())

    def rendered(_app, template, context):
        spent.append(time.perf_counter() - starts.pop())

    for name, path in paths.items():
        client.get(path)
        seen = []

        def listener(conn, cursor, statement, *args, seen=seen):
            if counted(statement):
                seen.append(statement)

        event.listen(engine, "before_cursor_execute", listener)
        client.get(path)
        event.remove(engine, "before_cursor_execute", listener)
        counts[name] = len(seen)
        per_request, whole = [], []
        before_render_template.connect(started, app)
        template_rendered.connect(rendered, app)
        for _ in range(5):
            spent.clear()
            began = time.perf_counter()
            client.get(path)
            whole.append((time.perf_counter() - began) * 1000)
            per_request.append(sum(spent) * 1000)
        before_render_template.disconnect(started, app)
        template_rendered.disconnect(rendered, app)
        templates[name] = statistics.median(per_request)
        misses[name] = statistics.median(whole)
    engine.dispose()
    return counts, templates, misses


def targets(base: str, cookie: str) -> dict[str, str]:
    """Concrete URLs: an item with about 20 updates, the latest meeting, a report."""
    headers = {"Cookie": cookie}
    me = requests.get(f"{base}/api/v1/me", headers=headers, timeout=10).json()
    report = requests.post(f"{base}/api/v1/reports", json={"title": "Benchmark", "as_of": date.today().isoformat()},
                           headers={**headers, "X-CSRFToken": me["csrf_token"]}, timeout=120)
    report.raise_for_status()
    return page_paths(ITEM_ID, MEETING_ID, report.json()["id"]), report.json()["id"]


def page_paths(item_id: int, meeting_id: int, report_id: int | None = None) -> dict[str, str]:
    """The measured pages by their name in the table (the report preview only when there is a report)."""
    pages = {"healthz (floor)": "/healthz", "dashboard": "/", "action list": "/actions",
             "action list (filtered)": "/actions?status=in_progress&organisation=KMAR",
             "item with ~20 updates": f"/actions/{item_id}", "meeting": f"/meetings/{meeting_id}", "framework": "/framework",
             "search": "/search?q=grenstoezicht", "report preview": f"/reports/{report_id}",
             "API list": "/api/v1/action-items?per_page=100"}
    if report_id is None:
        del pages["report preview"]
    return pages


def not_found_timing(base: str, cookie: str, hidden_id: int, missing_id: int, n: int = 200) -> tuple[float, float]:
    """Median ms of a 404 for an item the coordinator may not see vs. one that does not exist, interleaved on
    one keep-alive connection: equal work means equal time, so existence does not leak through the clock."""
    session = requests.Session()
    session.headers["Cookie"] = cookie
    times: dict[int, list[float]] = {hidden_id: [], missing_id: []}
    for _ in range(n):
        for ident in (hidden_id, missing_id):
            started = time.perf_counter()
            response = session.get(f"{base}/actions/{ident}", timeout=10)
            times[ident].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 404, response.status_code
    median = lambda values: sorted(values)[len(values) // 2]  # noqa: E731
    return median(times[hidden_id]), median(times[missing_id])


def writer_scopes(url: str, code: str = "KMAR") -> set:
    """What a write by `code` to one of its MDT items bumps: the MDT members' generation and its own."""
    from sqlalchemy import create_engine, select

    from models import Organisation
    from portal.cache import MDT

    engine = create_engine(url)
    with engine.connect() as conn:
        org_id = conn.execute(select(Organisation.id).where(Organisation.code == code)).scalar_one()
    engine.dispose()
    return {MDT, org_id}


def hidden_item(url: str) -> tuple[int, int]:
    """An organisation-only item of another organisation than JenV, and an id that does not exist."""
    from sqlalchemy import create_engine, func, select

    from models import ActionItem, Organisation

    engine = create_engine(url)
    with engine.connect() as conn:
        hidden = conn.execute(select(ActionItem.id).join(Organisation, Organisation.id == ActionItem.owner_organisation_id)
                              .where(ActionItem.visibility == "organisation", Organisation.code != "JENV").order_by(ActionItem.id)).scalar()
        missing = conn.execute(select(func.max(ActionItem.id))).scalar() + 1000
    engine.dispose()
    return hidden, missing


def busiest(url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, func, select

    from models import ActionItem, Meeting, ProgressUpdate

    engine = create_engine(url)
    with engine.connect() as conn:
        counts = (select(ProgressUpdate.action_item_id, func.count().label("n")).group_by(ProgressUpdate.action_item_id).subquery())
        item = conn.execute(select(counts.c.action_item_id).join(ActionItem, ActionItem.id == counts.c.action_item_id)
                            .where(ActionItem.visibility == "mdt").order_by(func.abs(counts.c.n - 20), counts.c.action_item_id)).scalar()
        meeting = conn.execute(select(func.max(Meeting.id))).scalar()
    engine.dispose()
    return item, meeting


def main() -> None:
    global ITEM_ID, MEETING_ID
    WORK.mkdir(parents=True, exist_ok=True)
    config = WORK / "portal.toml"
    config.write_text("".join(
        f'[[oidc.providers]]\nname = "{name}"\nlabel = "{code}"\nissuer = "http://127.0.0.1:{IDP_PORT + i}"\n'
        f'client_id = "portal"\nclient_secret = "dev-secret-not-for-production"\norganisation = "{code}"\n'
        + ('role_claim = "roles"\n' if name == "jenv" else "") + "\n" for i, (name, code) in enumerate(PROVIDERS)) + '[limits]\nenabled = false\n')
    idp = subprocess.Popen(["node", "devtools/idp/server.js", "--base-port", str(IDP_PORT), "--portal", f"http://127.0.0.1:{PORT}",
                            "--ready-file", str(WORK / "idp.json")], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows, facts, mixes = [], {}, []
    floor = bare_floor()
    facts["bare Flask route under the same gunicorn settings (req/s, 8 clients)"] = round(floor)
    redmine = start_redmine() if REDMINE else None
    try:
        for backend in BACKENDS:
            for size in SIZES:
                url = database(backend, size)
                load_seconds = prepare(url, size, config)
                ITEM_ID, MEETING_ID = busiest(url)
                writer = writer_scopes(url)
                env = env_for(url, config)
                server = subprocess.Popen([BIN / "gunicorn", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{PORT}", "wsgi:app"],
                                          cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                try:
                    base = f"http://127.0.0.1:{PORT}"
                    wait_until_up(f"{base}/readyz")
                    cookie = login(base, "coordinator", "coordinator-demo")
                    pages, report_id = targets(base, cookie)
                    exports = []
                    for _ in range(REPEATS):
                        started = time.perf_counter()
                        requests.get(f"{base}/reports/{report_id}/export.docx", headers={"Cookie": cookie}, timeout=120).raise_for_status()
                        exports.append(time.perf_counter() - started)
                    facts[f"{backend} {size}: DOCX export (s), median of {REPEATS}"] = round(sorted(exports)[len(exports) // 2], 2)
                    facts[f"{backend} {size}: generate-demo (s)"] = round(load_seconds, 1)
                    hidden, missing = hidden_item(url)
                    hidden_ms, missing_ms = not_found_timing(base, cookie, hidden, missing)
                    facts[f"{backend} {size}: 404 not allowed vs missing, median ms of 200 each"] = \
                        f"{hidden_ms:.2f} vs {missing_ms:.2f} (difference {hidden_ms - missing_ms:+.2f})"
                    print(json.dumps({"not_found": [hidden_ms, missing_ms]}), flush=True)
                    if PAGES:
                        pages = {k: v for k, v in pages.items() if k in PAGES or k == "healthz (floor)"}  # the floor: every row's ratio
                    counts, template_ms, miss_ms = statement_counts(url, config, pages, "coordinator")
                    for name, path in pages.items():
                        miss = after_invalidation(base + path, cookie)
                        single = wrk(base + path, cookie, 1)
                        loaded = wrk(base + path, cookie, 8)
                        other = redmine_rps(name) if redmine is not None and name in REDMINE_PAGES else None
                        other_bumped = redmine_rps(name, bumped=True) if other is not None and name != "healthz (floor)" else other
                        defeated = wrk_defeated(base + path, cookie) if name != "healthz (floor)" else loaded
                        kmar = wrk_defeated(base + path, cookie, scopes=writer) if name != "healthz (floor)" else loaded
                        rows.append({"backend": backend, "items": size, "page": name, "rps": loaded["rps"], "p50": single["p50_ms"],
                                     "p95": single["p95_ms"], "p95_loaded": loaded["p95_ms"], "miss": miss, "sql": counts[name],
                                     "rps_defeated": defeated["rps"], "rps_kmar_writes": kmar["rps"], "floor": floor, "template_ms": template_ms[name],
                                     "miss_in_process": miss_ms[name], "redmine_rps": other, "redmine_rps_bumped": other_bumped,
                                     "errors": single["errors"] + loaded["errors"] + single["non2xx"] + loaded["non2xx"]
                                     + defeated["errors"] + defeated["non2xx"] + kmar["errors"] + kmar["non2xx"]})
                        print(json.dumps(rows[-1]), flush=True)
                    mixes.append({"backend": backend, "items": size, **mixed_load(base, url, pages)})
                    print(json.dumps(mixes[-1]), flush=True)
                    if MIXED_PAUSE:
                        mixes.append({"backend": backend, "items": size, **mixed_load(base, url, pages, MIXED_PACED_SECONDS, MIXED_PAUSE)})
                        print(json.dumps(mixes[-1]), flush=True)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
    finally:
        idp.terminate()
        if redmine is not None:
            redmine.terminate()
            redmine.wait(timeout=30)
    write(rows, facts, mixes)


def mixed_lines(mixes: list[dict]) -> list[str]:
    def run_of(m: dict) -> str:
        return f"paced, ~{m['pause']:g} s between requests" if m.get("pause") else "no pauses"

    lines = [f"## Mixed load: {MIXED_CLIENTS} clients, one request in 20 a write", "",
             "Each client a process on one keep-alive connection, signed in as a member of KMar, Politie, IND, OM, JenV or as the "
             "JenV coordinator; writes are progress updates, comments and item edits through the API on the writer's own "
             "organisation's items (a 412 after a lost race counts as answered); reads spread evenly over the pages above. "
             "The clients run on the same two cores as the server. Two runs: with no pauses (every client sends its next request "
             "the moment the last is answered: the machine's throughput, and a p95 that is mostly queueing on two cores), and "
             "paced (each client waits an exponentially distributed pause before each request, as people do; 8 clients at ~1 s "
             "offer ~8 req/s, some 80 people at work at the same moment): the latency a working team gets.", "",
             "| backend | items | run | req/s | p50 ms | p95 ms | writes | write p95 ms | errors |", "|---|---|---|---|---|---|---|---|---|"]
    for m in mixes:
        lines.append(f"| {m['backend']} | {m['items']} | {run_of(m)} | {m['rps']:.0f} | {m['p50']:.1f} | {m['p95']:.1f} | {m['writes']} | "
                     f"{m['write_p95']:.1f} | {m['errors']} |")
    kinds = sorted({k for m in mixes for k in m["per_kind"]})
    lines += ["", "p95 per kind of request (ms):", "", "| backend | items | run | " + " | ".join(kinds) + " |" if mixes else "",
              "|---|---|---|" + "---|" * len(kinds) if mixes else ""]
    for m in mixes:
        lines.append(f"| {m['backend']} | {m['items']} | {run_of(m)} | "
                     + " | ".join(f"{m['per_kind'][k]['p95']:.1f}" if k in m["per_kind"] else "–" for k in kinds) + " |")
    return lines


def redmine_lines(rows: list[dict]) -> list[str]:
    if not any(r.get("redmine_rps") for r in rows):
        return ["## Side by side with Redmine", "", "Not measured in this run (BENCH_REDMINE=1 installs and measures Redmine 5).", ""]
    lines = ["## Side by side with Redmine", "",
             "Redmine 5.0 from Debian, puma 2 workers x 5 threads, PostgreSQL, 20,000 issues with 100,000 journals (bench/redmine-setup), "
             "read anonymously from a public project; wrk with 8 connections like the portal's column, each Redmine page measured right "
             "before the portal's matching page (the ratios compare the machine at the same moment), once on its own (against the "
             "portal warm) and once beside the same generation bumper that the portal's 'KMar writing' and 'cache defeated' runs have "
             "(about a sixth of a core: both sides pay it; against those two columns). Pages: default list /issues, "
             "filtered /issues?status_id=2, an issue with 20 journals, the project overview as the dashboard, /issues.json?limit=100, "
             "and the static favicon as Redmine's floor.", "",
             "| backend | items | page | Redmine req/s | Redmine req/s, bumper running | portal req/s warm | portal req/s, KMar writing | "
             "portal req/s cache defeated | warm / Redmine | KMar writing / Redmine | defeated / Redmine |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.get("redmine_rps"):
            other, bumped = r["redmine_rps"], r.get("redmine_rps_bumped") or r["redmine_rps"]
            lines.append(f"| {r['backend']} | {r['items']} | {r['page']} | {other:.0f} | {bumped:.0f} | {r['rps']:.0f} | {r['rps_kmar_writes']:.0f} | "
                         f"{r['rps_defeated']:.0f} | {r['rps'] / other:.1f}x | {r['rps_kmar_writes'] / bumped:.1f}x | {r['rps_defeated'] / bumped:.1f}x |")
    return lines + [""]


def write(rows: list[dict], facts: dict, mixes: list[dict]) -> None:
    floors = {(r["backend"], r["items"]): r for r in rows if r["page"] == "healthz (floor)"}
    small = min(SIZES)
    by_key = {(r["backend"], r["items"], r["page"]): r for r in rows}
    lines = ["| backend | items | page | req/s (8 clients) | p50 ms (1 client) | p95 ms (1 client) | p95 ms (8 clients) | "
             "ms after a write (cache miss, median of 7) | cache miss in-process ms | req/s, KMar writing (8 clients) | req/s, cache defeated (8 clients) | "
             "req/s vs floor | SQL statements | template ms | "
             "p95 vs smallest size | errors |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        floor = floors[(r["backend"], r["items"])]
        base = by_key.get((r["backend"], small, r["page"]))
        ratio = f"{r['p95'] / base['p95']:.2f}" if base and base["p95"] else "–"
        lines.append(f"| {r['backend']} | {r['items']} | {r['page']} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
                     f"{r['p95_loaded']:.1f} | {r['miss']:.0f} | {r.get('miss_in_process', 0):.1f} | {r['rps_kmar_writes']:.0f} | "
                     f"{r['rps_defeated']:.0f} | {100 * r['rps'] / floor['rps']:.0f}% | "
                     f"{r['sql']} | {r['template_ms']:.1f} | {ratio} | {r['errors']} |")
    machine = (f"{platform.node()} · {os.cpu_count()} cores · "
               f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB · Python {platform.python_version()} · "
               f"{subprocess.run(['wrk', '--version'], capture_output=True, text=True).stdout.splitlines()[0] if shutil.which('wrk') else ''}")
    text = "\n".join([f"# Benchmark {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "", f"Machine: {machine}", "",
                      f"gunicorn (gunicorn.conf.py: gthread workers from the CPU count), Redis sessions, wrk on loopback, {REPEATS} runs of "
                      f"{SECONDS} s per figure (medians shown); "
                      "signed in as the JenV coordinator through the development OpenID provider. Pages are measured warm "
                      "(the Redis cache filled by the first request); SQL statements are counted in-process without "
                      "Redis, i.e. for a cache miss. 'KMar writing': the generations a KMar write to one of its MDT items bumps (the MDT "
                      "members' and KMar's) bumped every millisecond while wrk runs, as if KMar wrote between any two requests; "
                      "'cache defeated': every generation bumped likewise (a write everybody sees between any two requests).", "", *lines, "",
                      *[f"- {k}: {v}" for k, v in facts.items()],
                      *[f"- {r['backend']} {r['items']}: /healthz is {100 * r['rps'] / r['floor']:.0f}% of the bare Flask route"
                        for r in rows if r["page"] == "healthz (floor)"], "", *redmine_lines(rows), *mixed_lines(mixes), ""])
    (ROOT / "bench" / "results" / os.environ.get("BENCH_OUT", "latest.md")).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
