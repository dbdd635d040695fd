"""Backup, destroy, restore: every row and every uploaded file comes back; damaged archives are refused.

Each site is a real database driven through the ``doluong`` CLI in subprocesses, as an operator would:
a file-backed SQLite database in a temporary DOLUONG_VAR_DIR, and a throwaway PostgreSQL database
(``doluong_backup_test``) created and dropped here. The rows are compared whole (SQLite: the database's
full SQL dump; PostgreSQL: every table's rows and every sequence), the files byte for byte.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("DOLUONG_TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
# One pair of throwaway databases per pytest-xdist worker, so two workers never share (or drop) each other's.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
PG_DB = f"doluong_backup_test_{_WORKER}"
PG_TEMPLATE = f"doluong_backup_test_{_WORKER}_template"


class Site:
    """One installation: its environment, database and MEDIA_ROOT."""

    def __init__(self, tmp_path: Path, vendor: str, database: str = PG_DB):
        self.vendor = vendor
        self.var = tmp_path / "var"
        self.media = self.var / "media"
        self.env = {**os.environ, "DOLUONG_VAR_DIR": str(self.var), "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
                    "DJANGO_SETTINGS_MODULE": "doluong.settings", "DOLUONG_LOG_LEVEL": "ERROR"}
        self.env.pop("DOLUONG_BACKUP_DIR", None)
        if vendor == "sqlite":
            self.env.pop("DATABASE_URL", None)
            self.db = self.var / "doluong.sqlite3"
        else:
            self.env["DATABASE_URL"] = self.url = f"{PG_SERVER}/{database}"

    def cli(self, *args, check=True) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "doluong.cli", *args], env=self.env, capture_output=True,
                              text=True, check=False, timeout=600)
        if check and proc.returncode != 0:
            raise AssertionError(f"doluong {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def sql(self, statements: str) -> None:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.db) as c:
                c.executescript(statements)
        else:
            subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c",
                            statements], check=True, capture_output=True)

    def rows(self):
        """The whole content of the database, comparable with ==."""
        if self.vendor == "sqlite":
            with sqlite3.connect(self.db) as c:
                return list(c.iterdump())
        import psycopg

        with psycopg.connect(self.url) as c:
            tables = [t for (t,) in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                              "ORDER BY tablename")]
            whole = "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{}\" t"
            out = {t: c.execute(whole.format(t)).fetchone() for t in tables}
            out["sequences"] = c.execute("SELECT sequencename, last_value FROM pg_sequences "
                                         "WHERE schemaname = 'public' ORDER BY 1").fetchall()
            return out

    def count(self, table: str) -> int:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.db) as c:
                return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        import psycopg

        with psycopg.connect(self.url) as c:
            return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608

    def files(self) -> dict[str, str]:
        return {p.relative_to(self.media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(self.media.rglob("*")) if p.is_file()}


def _pg_available() -> bool:
    if shutil.which("psql") is None or shutil.which("pg_dump") is None:
        return False
    return subprocess.run(["psql", "-X", "-d", f"{PG_SERVER}/postgres", "-c", "SELECT 1"],
                          capture_output=True, check=False).returncode == 0


def _pg_admin(statement: str) -> None:
    subprocess.run(["psql", "-X", "-q", "-d", f"{PG_SERVER}/postgres", "-c", statement], check=True,
                   capture_output=True)


def _seed(s: Site) -> None:
    s.cli("migrate", "--noinput", "-v0")
    seeded = subprocess.run([sys.executable, "-m", "tests.ops.seed"], env=s.env, cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert seeded.returncode == 0, seeded.stderr
    assert int(seeded.stdout.strip()) >= 5


@pytest.fixture(scope="module")
def template(request, tmp_path_factory):
    """Per vendor, a migrated and seeded site made once; each test gets a fresh copy of it."""
    made = {}

    def get(vendor: str) -> Path:
        if vendor not in made:
            root = tmp_path_factory.mktemp(f"template-{vendor}")
            if vendor == "postgresql":
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)")
                _pg_admin(f"CREATE DATABASE {PG_TEMPLATE}")
                s = Site(root, vendor, database=PG_TEMPLATE)
            else:
                s = Site(root, vendor)
            _seed(s)
            made[vendor] = root / "var"
        return made[vendor]

    yield get
    if "postgresql" in made:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path, template):
    if request.param == "postgresql" and not _pg_available():
        pytest.skip(f"no PostgreSQL server at {PG_SERVER} (or no psql/pg_dump)")
    var = template(request.param)
    shutil.copytree(var, tmp_path / "var")
    if request.param == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {PG_DB} TEMPLATE {PG_TEMPLATE}")
    yield Site(tmp_path, request.param)
    if request.param == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` with ``change(name, data) -> data`` applied to every member."""
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read() if member.isfile() else None
            if data is not None:
                data = change(member.name, data)
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    return target


def test_backup_destroy_restore(site, tmp_path):
    before_rows, before_files = site.rows(), site.files()
    assert len(before_files) == 3 and any(name.startswith("imports/") for name in before_files)
    assert site.count("records_servicerecord") >= 5 and site.count("core_objectchange") > 0

    out = tmp_path / "backups"
    done = site.cli("backup", "--out", str(out))
    [archive] = out.glob("doluong-*.tar.gz")
    assert str(archive) in done.stdout and oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["format"] == "doluong-backup/1" and manifest["database"]["vendor"] == site.vendor
    assert "0001_initial" in manifest["migrations"]["records"]
    assert {f"media/{name}" for name in before_files} | {manifest["database"]["member"]} == set(manifest["members"])
    assert set(names) == set(manifest["members"]) | {"manifest.json"}
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())

    # destroy: rows deleted, a table dropped, files deleted, a stray file added
    if site.vendor == "sqlite":
        site.sql("DELETE FROM records_servicerecord; DELETE FROM core_objectchange; DROP TABLE imports_importbatch;")
    else:
        site.sql("TRUNCATE records_servicerecord, core_objectchange CASCADE; DROP TABLE imports_importbatch CASCADE;")
    shutil.rmtree(site.media / "evidence")
    (site.media / "imports").rename(site.media / "moved")
    (site.media / "stray.txt").write_text("not in the backup")
    assert site.rows() != before_rows and site.files() != before_files

    refused = site.cli("restore", str(archive), check=False)  # no --yes: verified, nothing changed
    assert refused.returncode != 0 and "--yes" in refused.stderr and "verified" in refused.stdout
    assert site.count("records_servicerecord") == 0

    restored = site.cli("restore", str(archive), "--yes")
    assert "restored" in restored.stdout
    assert site.rows() == before_rows
    assert site.files() == before_files
    assert not any(p.name.startswith((".restore-", ".previous-")) for p in site.media.iterdir())
    assert site.cli("migrate", "--check", "-v0", check=False).returncode == 0  # the schema is the code's

    # the restored site works: a new backup of it has the same members and checksums
    again = site.cli("backup", "--out", str(tmp_path / "again"))
    [second] = (tmp_path / "again").glob("doluong-*.tar.gz")
    assert again.returncode == 0
    with tarfile.open(second) as tar:
        members2 = json.loads(tar.extractfile("manifest.json").read())["members"]
    media_members = {k: v for k, v in manifest["members"].items() if k.startswith("media/")}
    assert {k: v for k, v in members2.items() if k.startswith("media/")} == media_members


def test_damaged_or_foreign_archives_are_refused_and_nothing_changes(site, tmp_path):
    out = tmp_path / "backups"
    site.cli("backup", "--out", str(out))
    [archive] = out.glob("doluong-*.tar.gz")
    site.sql("DELETE FROM records_servicerecord;" if site.vendor == "sqlite"  # the state every refusal must keep
             else "TRUNCATE records_servicerecord CASCADE;")
    (site.media / "new upload.txt").write_text("uploaded after the backup")
    state_rows, state_files = site.rows(), site.files()

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    def flip_media(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("media/evidence") else data

    def future_migration(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["records"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    def other_vendor(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["database"]["vendor"] = "postgresql" if site.vendor == "sqlite" else "sqlite"
        return json.dumps(manifest).encode()

    cases = {
        "damaged or truncated": truncated,
        "does not match its manifest": rewrite(archive, tmp_path / "flipped.tar.gz", flip_media),
        "newer version of doluong": rewrite(archive, tmp_path / "future.tar.gz", future_migration),
        "configured database is": rewrite(archive, tmp_path / "vendor.tar.gz", other_vendor),
    }
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"\x1f\x8b" + os.urandom(5000))
    cases["cannot be read"] = garbage
    for message, bad in cases.items():
        proc = site.cli("restore", str(bad), "--yes", check=False)
        assert proc.returncode != 0, message
        assert message in proc.stderr and "Nothing was changed" in proc.stderr, proc.stderr
        assert site.rows() == state_rows, message
        assert site.files() == state_files, message
    assert not any(p.name.startswith((".restore-", ".previous-")) for p in site.media.iterdir())


def test_keep_deletes_the_oldest_archives(tmp_path, template):
    shutil.copytree(template("sqlite"), tmp_path / "var")
    site = Site(tmp_path, "sqlite")
    out = tmp_path / "b"
    out.mkdir()
    for i in range(3):
        old = out / f"doluong-2020010{i + 1}-000000.tar.gz"
        old.write_bytes(b"old")
        os.utime(old, (1_600_000_000 + i, 1_600_000_000 + i))
    proc = site.cli("backup", "--out", str(out), "--keep", "2")
    kept = sorted(p.name for p in out.iterdir())
    assert len(kept) == 2 and "doluong-20200103-000000.tar.gz" in kept
    assert proc.stdout.count("removed old archive") == 2
