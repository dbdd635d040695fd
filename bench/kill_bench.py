"""Fault benchmark (issue #11, item 6): SIGKILL a large import on PostgreSQL, again and again; nothing may change.

    .venv/bin/python bench/kill_bench.py [--trials 20] [--rows 60000] [--keep]

Builds a database with the reference and demo data (``--db``_template, on the server of ``--admin-url``:
``migrate``, ``load_reference``, ``load_demo``), and a CSV of ``--rows`` new verification records in the import
format, made from the demo's own verifications (same provider, instrument, date and result, new certificate
numbers), so that every row is valid and the import would commit. Then:

1. calibration: on a copy of the database (``CREATE DATABASE … TEMPLATE``), one complete import, timed —
   ``doluong import records FILE -v2`` in its own process, the way an administrator applies an import
   synchronously; its progress lines on stderr (one per batch written) mark when it started writing;
2. the trial database (another copy) gets its fingerprint: for every table of the schema, its row count and
   ``md5(string_agg(row::text ORDER BY row::text))`` — every column of every row; nothing is left out (no
   web server or worker runs here, so no table changes for any other reason);
3. each trial starts the same import, waits for its first progress line (the first batch is written), sleeps
   a delay spread over the calibrated writing time (trial i of n at (i + U(0,1)) / n of it), SIGKILLs the
   process, waits until PostgreSQL has ended the orphaned session (a backend in the middle of a statement
   notices the dead client only afterwards), and takes the fingerprint again: it must be identical. A trial
   whose import had already committed when the kill arrived (all its records present: complete, not partial)
   is reported as such and the database is restored from the template; a partial import would be a failure;
4. the database is then used: the same import, complete, must succeed (all rows new), and every instrument's
   due date must equal the latest passing record's.

Sequences are not part of the fingerprint: ids taken by a killed transaction are never given back (PostgreSQL's
``nextval`` is not transactional), so the record id sequence moves on; that is printed, it is not data.
The databases are dropped at the end unless ``--keep``.
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv running this script (its doluong command)
HEADER = ["Mã tổ chức kiểm định", "Số giấy chứng nhận", "Mã số thuế chủ sở hữu", "Mã loại phương tiện",
          "Số sản xuất", "Ngày kiểm định", "Kết quả", "Số tem"]
PREFIX = "KB-"


# --- databases ------------------------------------------------------------------------------------

class Server:
    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.base = admin_url.rsplit("/", 1)[0]

    def url(self, db: str) -> str:
        return f"{self.base}/{db}"

    def admin(self, *statements: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    def recreate(self, db: str, template: str | None = None) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{db}"',
                   f'CREATE DATABASE "{db}"' + (f' TEMPLATE "{template}"' if template else ""))

    def drop(self, *dbs: str) -> None:
        self.admin(*(f'DROP DATABASE IF EXISTS "{db}"' for db in dbs))

    def query(self, db: str, sql: str, params=None) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(db), autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def other_sessions(self, db: str) -> int:
        return self.query(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                              "AND pid <> pg_backend_pid()")[0][0]

    def fingerprint(self, db: str) -> dict[str, tuple[int, str]]:
        """Per table of the public schema: (rows, md5 of all rows as text, in a fixed order)."""
        import psycopg

        out = {}
        with psycopg.connect(self.url(db), autocommit=True) as conn:
            tables = [t for (t,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
            for table in tables:
                out[table] = conn.execute(
                    f'SELECT count(*), md5(coalesce(string_agg(t::text, E\'\\n\' ORDER BY t::text COLLATE "C"), \'\')) '  # noqa: S608
                    f'FROM "{table}" t').fetchone()
        return out

    def sequences(self, db: str) -> dict[str, int | None]:
        return dict(self.query(db, "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"))


def wrong_due_dates(server: Server, db: str) -> int:
    """Instruments whose stored due date is not the latest valid-until of their standing passing verifications."""
    return server.query(db, """
        SELECT count(*) FROM instruments_instrument i LEFT JOIN (
            SELECT instrument_id, max(valid_until) FILTER (WHERE result = 'pass' AND withdrawn_on IS NULL) AS due
            FROM records_servicerecord WHERE activity = 'verification' AND superseded_by_id IS NULL
            GROUP BY instrument_id) r ON r.instrument_id = i.id
        WHERE i.verification_due_on IS DISTINCT FROM r.due""")[0][0]


def run(cmd: list[str], env: dict, what: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{what} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - t0


# --- the import file --------------------------------------------------------------------------------

def write_import_file(server: Server, db: str, path: Path, rows: int) -> int:
    """New certificates for the demo's own verifications (valid on their dates): cycled to ``rows`` rows."""
    import csv

    templates = server.query(db, """
        SELECT p.provider_code, o.tax_code, k.code, i.serial_number, r.performed_on, r.result
        FROM records_servicerecord r
        JOIN orgs_organization p ON p.id = r.provider_id
        JOIN instruments_instrument i ON i.id = r.instrument_id
        JOIN orgs_organization o ON o.id = i.owner_id
        JOIN instruments_instrumentkind k ON k.id = i.kind_id
        WHERE r.activity = 'verification' AND r.result IN ('pass', 'fail') AND r.withdrawn_on IS NULL
          AND r.superseded_by_id IS NULL AND o.tax_code <> '' AND p.provider_code <> ''
        ORDER BY r.id""")
    if not templates:
        raise SystemExit("the demo data has no verification records to copy")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(rows):
            provider, tax, kind, serial, day, result = templates[i % len(templates)]
            w.writerow([provider, f"{PREFIX}{i:07d}", tax, kind, serial, day.strftime("%d/%m/%Y"),
                        "Đạt" if result == "pass" else "Không đạt", f"KBT-{i:07d}"])
    return len(templates)


# --- one import in its own process ---------------------------------------------------------------------

class Import:
    """``doluong import records FILE -v2`` with its progress lines (``\\r<n> rows`` per batch) timed."""

    def __init__(self, env: dict, path: Path, batch_size: int):
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen([str(BIN / "doluong"), "import", "records", str(path), "-v2",
                                      "--batch-size", str(batch_size)],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.progress: list[tuple[float, int]] = []  # (seconds since start, rows processed)
        self.first = threading.Event()
        self.stdout = b""
        self._err = threading.Thread(target=self._read_stderr, daemon=True)
        self._out = threading.Thread(target=self._read_stdout, daemon=True)
        self._err.start()
        self._out.start()

    def _read_stderr(self) -> None:
        buf = b""
        while chunk := self.proc.stderr.read1(4096):
            buf += chunk
            *done, buf = re.split(rb"[\r\n]", buf)
            for part in done:
                m = re.fullmatch(rb"(\d+) rows", part.strip())
                if m:
                    self.progress.append((time.perf_counter() - self.t0, int(m.group(1))))
                    self.first.set()
        self.first.set()  # ended without progress: the waiter looks at the exit status

    def _read_stdout(self) -> None:
        self.stdout = self.proc.stdout.read()

    def wait(self) -> tuple[int, float, str]:
        code = self.proc.wait()
        seconds = time.perf_counter() - self.t0
        self._err.join()
        self._out.join()
        return code, seconds, self.stdout.decode(errors="replace").strip()


def kill_once(server: Server, env: dict, path: Path, args, delay: float, before: dict) -> tuple:
    """One trial: start the import, SIGKILL it ``delay`` s after its first batch was written, wait for its
    session to end, compare the fingerprint. Returns (delay, s after start, rows seen, alive, exit, linger,
    verdict)."""
    imp = Import(env, path, args.batch_size)
    imp.first.wait(timeout=600)
    started = time.perf_counter()
    while imp.proc.poll() is None and time.perf_counter() - started < delay:
        time.sleep(0.005)
    killed_at = time.perf_counter() - imp.t0
    rows_seen = imp.progress[-1][1] if imp.progress else 0
    alive = imp.proc.poll() is None
    if alive:
        os.kill(imp.proc.pid, signal.SIGKILL)
    code, _s, _out = imp.wait()
    t_kill = time.perf_counter()
    while server.other_sessions(args.db):
        if time.perf_counter() - t_kill > 120:
            raise SystemExit("a session of the killed import is still there after 120 s")
        time.sleep(0.02)
    linger = time.perf_counter() - t_kill
    after = server.fingerprint(args.db)
    imported = server.query(args.db, "SELECT count(*) FROM records_servicerecord WHERE certificate_number LIKE %s",
                            [PREFIX + "%"])[0][0]
    if after == before:
        verdict = "identical"
    elif imported == args.rows:
        verdict = "committed before the kill (complete import; database restored)"
    else:
        changed = sorted(t for t in after if after[t] != before.get(t))
        verdict = f"DIFFERENT ({imported} of its records present; tables changed: {', '.join(changed)})"
    return delay, killed_at, rows_seen, alive, code, linger, verdict


# --- main ---------------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--rows", type=int, default=20_000, help="records in the import file")
    parser.add_argument("--batch-size", type=int, default=2_000,
                        help="rows per batch written (the engine's default on PostgreSQL is 10,000: smaller "
                             "batches give the kills more points between writes)")
    parser.add_argument("--db", default="doluong_killbench")
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL",
                                                              "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--scale", type=float, default=1.0, help="load_demo --scale")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", action="store_true", help="use the template database kept by --keep")
    args = parser.parse_args()
    rnd = random.Random(args.seed)
    server = Server(args.admin_url)
    template, trial_db, calib_db = f"{args.db}_template", args.db, f"{args.db}_calibration"
    tmp = Path(tempfile.mkdtemp(prefix="doluong-killbench-"))
    env = {**os.environ, "DOLUONG_VAR_DIR": str(tmp / "var"), "DJANGO_SETTINGS_MODULE": "doluong.settings",
           "PYTHONPATH": str(ROOT / "src")}
    env.pop("DOLUONG_PRODUCTION", None)

    def env_for(db: str) -> dict:
        return {**env, "DATABASE_URL": server.url(db) + "?connect_timeout=5"}

    t0 = time.perf_counter()
    if not args.reuse:
        server.recreate(template)
        doluong = str(BIN / "doluong")
        for name, cmd in (("migrate", [doluong, "migrate", "--noinput", "-v0"]),
                          ("load_reference", [doluong, "load_reference"]),
                          ("load_demo", [doluong, "load_demo", "--scale", str(args.scale)])):
            run(cmd, env_for(template), name)
    path = tmp / "records.csv"
    n_templates = write_import_file(server, template, path, args.rows)
    counts = dict(server.query(template, "SELECT 'records', count(*) FROM records_servicerecord "
                                         "UNION ALL SELECT 'instruments', count(*) FROM instruments_instrument"))
    print(f"setup: {counts['instruments']:,} instruments, {counts['records']:,} records (demo at scale {args.scale}); "
          f"import file of {args.rows:,} new verification records ({n_templates:,} distinct instrument-date "
          f"pairs, CSV {path.stat().st_size / 2**20:.1f} MB) in {time.perf_counter() - t0:.0f} s")

    # 1. calibration: one complete import, on a copy
    server.recreate(calib_db, template)
    calib = Import(env_for(calib_db), path, args.batch_size)
    code, calib_s, out = calib.wait()
    if code or f"new={args.rows}" not in out:
        raise SystemExit(f"the calibration import did not import every row (exit {code}):\n{out[:3000]}")
    server.drop(calib_db)
    first_write = calib.progress[0][0]
    window = calib_s - first_write
    print(f"un-killed import (calibration, on a copy): {calib_s:.1f} s, {args.rows / calib_s:,.0f} rows/s; "
          f"first batch written at {first_write:.1f} s, then {window:.1f} s to the end (commit included)  [{out}]")

    # 2. the trial database and its fingerprint
    server.recreate(trial_db, template)
    before = server.fingerprint(trial_db)
    seq_before = server.sequences(trial_db)
    print(f"fingerprint: {len(before)} tables, {sum(n for n, _ in before.values()):,} rows; load average "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    # 3. the trials: planned delays spread over 90 % of the calibrated writing time; the machine's speed varies,
    # so an import that had already committed when its kill came does not count as a trial: it is reported,
    # the database is restored, and the same point is tried again a little earlier (at most three times).
    planned = [window * 0.9 * (i + rnd.random()) / args.trials for i in range(args.trials)]
    results, seq_moved = [], {}
    for i, delay in enumerate(planned):
        for _attempt in range(3):
            outcome = kill_once(server, env_for(trial_db), path, args, delay, before)
            results.append((i + 1, *outcome))
            n, (killed_at, rows_seen, alive, code, linger, verdict) = i + 1, outcome[1:]
            print(f"trial {n:2d}: killed {delay * 1000:6.0f} ms after the first batch was written "
                  f"({killed_at:5.2f} s after start, {rows_seen:,} rows processed)"
                  f"{'' if alive else ' — had exited'}; exit {code}; session gone after {linger * 1000:.0f} ms; "
                  f"{verdict}")
            if verdict == "identical":
                for k, v in server.sequences(trial_db).items():
                    if v != seq_before.get(k):
                        seq_moved[k] = (seq_before.get(k), v)
            if not verdict.startswith("committed"):
                break
            server.recreate(trial_db, template)
            seq_before = server.sequences(trial_db)
            delay *= 0.7

    killed = [r for r in results if not r[-1].startswith("committed")]
    identical = sum(1 for r in killed if r[-1] == "identical")
    committed = len(results) - len(killed)
    print(f"trials (killed while importing): {len(killed)}; identical: {identical}; different: "
          f"{len(killed) - identical}; besides, {committed} attempt(s) came after the import had committed "
          f"(complete, not partial; restored and tried again earlier)")
    print("kill delays after the first batch written (ms): " + ", ".join(f"{r[1] * 1000:.0f}" for r in killed))
    print("rows processed when killed: " + ", ".join(f"{r[3]:,}" for r in killed))
    print("sequences moved by the killed imports (ids not reused; not data): "
          + (", ".join(f"{k} {a}→{b}" for k, (a, b) in sorted(seq_moved.items())) or "none"))
    progress_dir = tmp / "var" / "media" / "imports" / "progress"
    unfinished = [p for p in progress_dir.glob("*.json") if '"done": false' in p.read_text()]
    print(f"progress files in MEDIA_ROOT/imports/progress: {len(list(progress_dir.glob('*.json')))}, of which "
          f"{len(unfinished)} say 'not done' (the killed imports'; their batch rows were rolled back)")

    # 4. the database is usable: the complete import, then the due dates
    due_before = wrong_due_dates(server, trial_db)
    final = Import(env_for(trial_db), path, args.batch_size)
    code, final_s, out = final.wait()
    ok = code == 0 and f"new={args.rows}" in out
    wrong_due = wrong_due_dates(server, trial_db)
    print(f"then a complete import on the same database: {'succeeded' if ok else 'FAILED'} in {final_s:.1f} s "
          f"({args.rows / final_s:,.0f} rows/s)  [{out[:300]}]")
    print(f"instruments whose due date is not their latest passing verification's: {due_before} before that "
          f"import, {wrong_due} after")

    if args.keep:
        print(f"kept: databases {template}, {trial_db}; files in {tmp}")
    else:
        server.drop(trial_db, template)
        shutil.rmtree(tmp, ignore_errors=True)
    passed = identical == len(killed) == args.trials and ok and wrong_due <= due_before
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
