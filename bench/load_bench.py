"""Load benchmark (issue #11, item 6): the production server under concurrent clients, over real HTTP.

    .venv/bin/python bench/load_bench.py [--clients 20] [--seconds 60] [--keep] [--with-limits]

Builds everything it needs: a fresh PostgreSQL database (``--db``, default ``doluong_loadbench``, dropped and
created again on the server of ``--admin-url``), ``migrate``, ``load_reference``, ``load_demo`` (as ``make demo``),
``collectstatic``; one officer account per client, each with an authenticator app (TOTP: production requires
two-step sign-in for officers, so the clients pass it like a person does); an API token. Then it starts the
production web server — gunicorn with ``doluong.ops.gunicorn_conf`` and ``DOLUONG_PRODUCTION=1`` (a generated
secret key, ``DOLUONG_ALLOWED_HOSTS=127.0.0.1,localhost``, the default number of processes and threads) — waits
for ``/healthz``, signs every client in through the login form (CSRF token, password, then the six-digit code)
and drives ``--clients`` threads for ``--seconds`` over a mix:

- pages, signed in as an officer: home, dashboard, instrument list, record list, an instrument's page (a random
  instrument), the plan's page;
- the API with a token: the instrument, record and organisation lists;
- the public certificate check, with certificate numbers drawn from the records.

HTTPS: production mode redirects plain HTTP to HTTPS and marks the session and CSRF cookies Secure. Every
request here carries ``X-Forwarded-Proto: https``, as nginx sends it (docs/operations.md); gunicorn trusts it
from 127.0.0.1 (``DOLUONG_FORWARDED_ALLOW_IPS``), so Django sees a secure request, exactly as behind the proxy
— no setting is relaxed for this. The clients keep the Secure cookies although the socket is plain TCP, and
send the ``Origin`` header the browser sends, which Django's CSRF check requires on a secure request.

Limits: by default they are raised for the bench, so that what is measured is the work, not the refusal: the
API's throttle with the documented ``DOLUONG_API_RATE`` (1000000/minute), and the public check's per-address
limit (``CERTIFICATE_CHECK_PER_MINUTE``, a Django setting with no environment variable) by a two-line settings
module generated in the bench's temporary directory (``from doluong.settings import *`` and the limit at 0).
``--with-limits`` keeps the production limits; either way 429 answers are counted apart, as "throttled".
Errors are 5xx answers and connection errors (time-outs included); redirects are not followed, so a session
lost to the sign-in page would show as 302 in the status counts.

The task worker is not started (nothing in the mix queues a task); ``/healthz`` then says "degraded", which
does not matter here. The clients run in this process (Python threads, ``requests``): on a small machine they
take CPU from the server, so the figures are a floor for what the server alone could do. At the end the
server is stopped with SIGTERM (gunicorn's graceful stop) and the database is dropped, unless ``--keep``.
"""

import argparse
import collections
import hashlib
import hmac
import os
import random
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv running this script (its doluong and gunicorn)
PASSWORD = "Bench-" + secrets.token_urlsafe(12)
PAGES = [  # (name, path or a callable of the setup info giving one)
    ("home", "/"),
    ("dashboard", "/dashboard/"),
    ("instrument list", "/instruments/instrument/"),
    ("record list", "/records/servicerecord/"),
    ("instrument detail", lambda info, rnd: f"/instruments/instrument/{rnd.choice(info['instruments'])}/"),
    ("plan page", lambda info, rnd: f"/plans/plan/{info['plan']}/"),
]
API = [
    ("api instruments", "/api/instruments/instrument/"),
    ("api records", "/api/records/servicerecord/"),
    ("api organizations", "/api/orgs/organization/"),
]
GROUP_WEIGHTS = {"pages": 0.5, "api": 0.25, "check": 0.25}


# --- database and server ---------------------------------------------------------------------------

def admin_sql(admin_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def run(cmd: list[str], env: dict, what: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{what} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_accounts(clients: int) -> dict:
    """In this process: the bench's officers with their authenticator keys, an API token, and what the mix
    needs from the data (instrument ids, the plan, certificate numbers)."""
    import django

    django.setup()
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from doluong.api.models import ApiToken
    from doluong.instruments.models import Instrument
    from doluong.orgs.models import User
    from doluong.plans.models import Plan
    from doluong.records.models import ServiceRecord

    demo_officer = User.objects.get(username="officer")
    User.objects.filter(username__startswith="bench-officer-").delete()  # from an earlier run (--reuse)
    officers = []
    for i in range(clients):
        user = User.objects.create_user(username=f"bench-officer-{i + 1}", password=PASSWORD, role="officer",
                                        organization=demo_officer.organization)
        key = secrets.token_bytes(20)
        TOTPDevice.objects.create(user=user, name="bench", key=key.hex(), confirmed=True)
        officers.append({"username": user.username, "key": key.hex()})
    _token, api_key = ApiToken.issue(demo_officer, "load bench")
    info = {
        "officers": officers,
        "api_key": api_key,
        "instruments": list(Instrument.objects.order_by("?").values_list("pk", flat=True)[:500]),
        "plan": Plan.objects.order_by("pk").values_list("pk", flat=True).first(),
        "numbers": list(ServiceRecord.objects.exclude(certificate_number="").order_by("?")
                        .values_list("certificate_number", flat=True)[:1000]),
        "counts": {"instruments": Instrument.objects.count(), "records": ServiceRecord.objects.count()},
    }
    connection.close()
    return info


def start_server(env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")  # noqa: SIM115 (kept open for the server's life)
    return subprocess.Popen([str(BIN / "gunicorn"), "-c", "python:doluong.ops.gunicorn_conf"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def wait_healthy(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    import requests

    deadline = time.time() + seconds
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped while starting (exit {server.returncode})")
        try:
            r = requests.get(base + "/healthz", timeout=2)
            if r.status_code == 200 and r.json()["database"]["ok"]:
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer /healthz in time")


def stop_server(server: subprocess.Popen) -> str:
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=45)
        return f"stopped by SIGTERM, exit status {code}"
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return "did not stop within 45 s of SIGTERM: killed"


# --- clients ---------------------------------------------------------------------------------------

def totp(hex_key: str, at: float | None = None) -> str:
    """RFC 6238 (30-second steps, six digits, SHA-1): what an authenticator app shows."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def new_session(base: str):
    import requests

    class Session(requests.Session):
        def request(self, *args, **kwargs):
            # The Secure cookies (session, CSRF) go back over this plain socket, as they would through the TLS
            # proxy: requests sends a Secure cookie only over https, so the flag is dropped client-side.
            for cookie in self.cookies:
                cookie.secure = False
            return super().request(*args, **kwargs)

    s = Session()
    s.headers["X-Forwarded-Proto"] = "https"
    s.headers["User-Agent"] = "doluong-load-bench"
    s.base = base
    return s


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def post_form(s, path: str, data: dict):
    page = s.get(s.base + path, allow_redirects=True, timeout=60)
    match = CSRF_INPUT.search(page.text)
    if not match:
        raise RuntimeError(f"no CSRF token on {page.url} ({page.status_code})")
    origin = s.base.replace("http://", "https://", 1)
    return s.post(page.url, data={"csrfmiddlewaretoken": match.group(1), **data}, allow_redirects=False,
                  headers={"Origin": origin, "Referer": page.url.replace("http://", "https://", 1)}, timeout=60)


def sign_in(base: str, officer: dict):
    """The login form, then the code page, as a person does: returns the signed-in session."""
    s = new_session(base)
    r = post_form(s, "/accounts/login/", {"username": officer["username"], "password": PASSWORD})
    if r.status_code != 302:  # signed in with the password; every page now leads to the code page
        raise RuntimeError(f"sign-in of {officer['username']} refused ({r.status_code})")
    r = post_form(s, "/accounts/two-step/verify/", {"code": totp(officer["key"])})
    if r.status_code != 302:
        raise RuntimeError(f"code of {officer['username']} refused ({r.status_code})")
    home = s.get(base + "/", allow_redirects=False, timeout=60)
    if home.status_code != 200:
        raise RuntimeError(f"{officer['username']} is not signed in: / gave {home.status_code}")
    return s


class Client(threading.Thread):
    def __init__(self, n: int, base: str, info: dict, start: threading.Barrier, stop: threading.Event, seed: int):
        super().__init__(name=f"client-{n}", daemon=True)
        self.base, self.info, self.start_barrier, self.stop = base, info, start, stop
        self.rnd = random.Random(seed)
        self.results: list[tuple[str, str, int | str, float]] = []  # (group, name, status or error, ms)
        self.failure: BaseException | None = None
        self.error_texts: collections.Counter = collections.Counter()
        self.error_idle: list[float] = []  # seconds the connection had been idle, per connection error
        self.last_done: dict[str, float] = {}
        self.officer = info["officers"][n]

    def prepare(self) -> None:
        self.pages = sign_in(self.base, self.officer)
        self.api = new_session(self.base)
        self.api.headers["Authorization"] = f"Bearer {self.info['api_key']}"
        self.public = new_session(self.base)
        for request in self.all_requests():  # warm-up: each request once, not counted
            self.fetch(*request, record=False)

    def all_requests(self):
        for name, path in PAGES:
            yield "pages", name, path if isinstance(path, str) else path(self.info, self.rnd)
        for name, path in API:
            yield "api", name, path
        yield "check", "certificate check", self.check_path()

    def check_path(self) -> str:
        from urllib.parse import urlencode

        return "/check/?" + urlencode({"number": self.rnd.choice(self.info["numbers"])})

    def pick(self):
        group = self.rnd.choices(list(GROUP_WEIGHTS), weights=list(GROUP_WEIGHTS.values()))[0]
        if group == "pages":
            name, path = self.rnd.choice(PAGES)
            return group, name, path if isinstance(path, str) else path(self.info, self.rnd)
        if group == "api":
            name, path = self.rnd.choice(API)
            return group, name, path
        return group, "certificate check", self.check_path()

    def fetch(self, group: str, name: str, path: str, record: bool = True) -> None:
        import requests

        session = {"pages": self.pages, "api": self.api, "check": self.public}[group]
        t0 = time.perf_counter()
        idle = t0 - self.last_done.get(group, t0)  # how long this session's keep-alive connection sat unused
        try:
            r = session.get(self.base + path, allow_redirects=False, timeout=60)
            status: int | str = r.status_code
            _ = r.content
        except requests.RequestException as exc:
            status = type(exc).__name__
            if record:
                self.error_texts[f"{type(exc).__name__}: {exc}"[:300]] += 1
                self.error_idle.append(idle)
        self.last_done[group] = time.perf_counter()
        ms = (self.last_done[group] - t0) * 1000
        if record:
            self.results.append((group, name, status, ms))

    def run(self) -> None:
        try:
            self.prepare()
        except BaseException as exc:  # reported by the main thread
            self.failure = exc
            self.start_barrier.abort()
            return
        try:
            self.start_barrier.wait()
        except threading.BrokenBarrierError:
            return
        while not self.stop.is_set():
            self.fetch(*self.pick())


# --- figures ---------------------------------------------------------------------------------------

def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = max(0, min(len(sorted_ms) - 1, round(p / 100 * len(sorted_ms) + 0.5) - 1))  # nearest rank
    return sorted_ms[k]


def summarise(label: str, rows: list, seconds: float) -> str:
    ms = sorted(r[3] for r in rows)
    statuses = collections.Counter(r[2] for r in rows)
    errors = sum(n for s, n in statuses.items() if isinstance(s, str) or s >= 500)
    throttled = statuses.get(429, 0)
    codes = " ".join(f"{s}:{n}" for s, n in sorted(statuses.items(), key=lambda x: str(x[0])))
    return (f"{label:22} {len(rows):8d} {len(rows) / seconds:8.1f} {percentile(ms, 50):8.0f} "
            f"{percentile(ms, 95):8.0f} {percentile(ms, 99):8.0f} {errors:7d} {throttled:9d}  {codes}")


def report(results: list, seconds: float) -> None:
    print(f"{'':22} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'throttled':>9}  status codes")
    by_group = collections.defaultdict(list)
    by_name = collections.defaultdict(list)
    for row in results:
        by_group[row[0]].append(row)
        by_name[(row[0], row[1])].append(row)
    for group in GROUP_WEIGHTS:
        print(summarise(group, by_group[group], seconds))
        for (g, name), rows in sorted(by_name.items()):
            if g == group:
                print(summarise("  " + name, rows, seconds))
    print(summarise("total", results, seconds))


# --- main ------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--db", default="doluong_loadbench", help="database to (re)create and drop")
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL",
                                                              "postgres://postgres@127.0.0.1:5432/postgres"),
                        help="a connection to the PostgreSQL server as a user who may create databases")
    parser.add_argument("--scale", type=float, default=1.0, help="load_demo --scale")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    parser.add_argument("--with-limits", action="store_true",
                        help="keep the production rate limits of the API and the public check")
    parser.add_argument("--keep", action="store_true", help="keep the database (and the server log)")
    parser.add_argument("--reuse", action="store_true",
                        help="use the database and static files kept by an earlier --keep run")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    base_url = args.admin_url.rsplit("/", 1)[0]
    db_url = f"{base_url}/{args.db}?connect_timeout=5"
    tmp = Path(tempfile.gettempdir()) / f"doluong-loadbench-{args.db}"  # var dir (static files), server log
    if not args.reuse:
        shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(exist_ok=True)
    port = args.port or free_port()
    env = {**os.environ,
           "DATABASE_URL": db_url,
           "DOLUONG_VAR_DIR": str(tmp / "var"),
           "DOLUONG_PRODUCTION": "1",
           "DOLUONG_SECRET_KEY": secrets.token_urlsafe(50),
           "DOLUONG_ALLOWED_HOSTS": "127.0.0.1,localhost",
           "DOLUONG_BIND": f"127.0.0.1:{port}",
           "DOLUONG_LOG_LEVEL": "WARNING",
           "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT / "src")])}
    if not args.with_limits:
        env["DOLUONG_API_RATE"] = "1000000/minute"
        (tmp / "loadbench_settings.py").write_text(
            "from doluong.settings import *  # noqa: F403\nCERTIFICATE_CHECK_PER_MINUTE = 0\n")
        env["DJANGO_SETTINGS_MODULE"] = "loadbench_settings"
    else:
        env["DJANGO_SETTINGS_MODULE"] = "doluong.settings"
    os.environ.update(env)
    sys.path[:0] = [str(tmp), str(ROOT / "src")]

    t0 = time.perf_counter()
    doluong = str(BIN / "doluong")
    steps = [("migrate", [doluong, "migrate", "--noinput", "-v0"]),
             ("load_reference", [doluong, "load_reference"]),
             ("load_demo", [doluong, "load_demo", "--scale", str(args.scale)])]
    if args.reuse:
        steps = []
    else:
        admin_sql(args.admin_url, f'DROP DATABASE IF EXISTS "{args.db}"', f'CREATE DATABASE "{args.db}"')
    if not (tmp / "var" / "static" / "staticfiles.json").exists():
        steps.append(("collectstatic", [doluong, "collectstatic", "--noinput", "-v0"]))
    timings = {name: run(cmd, env, name) for name, cmd in steps}
    # What `make serve-prod` checks first; reported, not required (the bench serves without e-mail).
    check = subprocess.run([doluong, "check", "--deploy", "--fail-level", "ERROR"], env=env, capture_output=True,
                           text=True)
    problems = sorted(set(re.findall(r"\((\w+\.[EW]\d+)\)", check.stdout + check.stderr)))
    info = setup_accounts(args.clients)
    print(f"setup: database {args.db} ({info['counts']['instruments']:,} instruments, "
          f"{info['counts']['records']:,} records) in {time.perf_counter() - t0:.0f} s"
          + (" (" + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + ")" if timings else ""))
    print(f"check --deploy: {'passes' if check.returncode == 0 else 'FAILS'}"
          + (f" ({', '.join(problems)})" if problems else ""))

    log_path = tmp / "server.log"
    server = start_server(env, log_path)
    base = f"http://127.0.0.1:{port}"
    stopped = "not started"
    try:
        wait_healthy(base, server)
        import doluong.ops.gunicorn_conf as conf

        limits = ("production limits (429 = throttled)" if args.with_limits
                  else "API throttle and public-check limit raised for the bench")
        print(f"server: gunicorn, {conf.workers} processes × {conf.threads} threads, DOLUONG_PRODUCTION=1, "
              f"{base} with X-Forwarded-Proto: https; {limits}")
        start, stop = threading.Barrier(args.clients + 1), threading.Event()
        clients = [Client(i, base, info, start, stop, args.seed * 1000 + i) for i in range(args.clients)]
        for c in clients:
            c.start()
        try:
            start.wait(timeout=300)
        except threading.BrokenBarrierError:
            failed = next((c.failure for c in clients if c.failure), None)
            raise SystemExit(f"a client could not sign in or warm up: {failed!r}") from None
        print(f"{args.clients} clients signed in (password and authenticator code) and warmed up; "
              f"running {args.seconds:.0f} s; load average before: {os.getloadavg()[0]:.2f} on "
              f"{os.cpu_count()} cores")
        t_start = time.perf_counter()
        time.sleep(args.seconds)
        stop.set()
        for c in clients:
            c.join(timeout=90)
        elapsed = time.perf_counter() - t_start
        results = [r for c in clients for r in c.results]
        print(f"mix: pages {GROUP_WEIGHTS['pages']:.0%}, API {GROUP_WEIGHTS['api']:.0%}, public check "
              f"{GROUP_WEIGHTS['check']:.0%}; {elapsed:.1f} s measured (the last requests finish after the stop)")
        report(results, elapsed)
        texts = sum((c.error_texts for c in clients), collections.Counter())
        for text, n in texts.most_common(5):
            print(f"connection error ×{n}: {text}")
        idle = sorted(round(x, 1) for c in clients for x in c.error_idle)
        if idle:
            print(f"connection errors came on connections idle for (s): {idle} (gunicorn closes keep-alive "
                  f"connections idle for DOLUONG_WEB_KEEPALIVE, 5 s by default)")
        print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f} (clients and server on the same machine)")
        errors_logged = sum(1 for line in log_path.read_text(errors="replace").splitlines()
                            if re.search(r" 5\d\d \d", line) or "Traceback" in line)
        print(f"server log: {errors_logged} lines with a 5xx answer or a traceback")
    finally:
        if server.poll() is None:
            stopped = stop_server(server)
        print(f"server: {stopped}")
        if args.keep:
            print(f"kept: database {args.db} ({db_url}), server log {log_path}")
        else:
            admin_sql(args.admin_url, f'DROP DATABASE IF EXISTS "{args.db}"')
            shutil.rmtree(tmp, ignore_errors=True)
            print(f"dropped database {args.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
