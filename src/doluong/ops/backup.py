"""Backup and restore: the database and the uploaded files in one archive with a manifest.

An archive (``doluong-YYYYMMDD-HHMMSS.tar.gz``) holds::

    database/doluong.pgdump      pg_dump -Fc of the configured PostgreSQL database, or
    database/doluong.sqlite3     a copy of the SQLite database made with the online backup API
    media/...                    every file under MEDIA_ROOT
    manifest.json                format, versions, time, database vendor, applied migrations,
                                 size and sha256 of every other member

Consistency: the database is copied from one snapshot (PostgreSQL: a repeatable-read transaction
whose snapshot ``pg_dump --snapshot`` shares, and in which the applied migrations are read; SQLite:
``sqlite3.Connection.backup``, which copies a live database page by page under a read lock). The
uploaded files are copied *after* the snapshot: a row is committed after its file is written, so every
file a backed-up row points to is in the archive (at worst with a few newer, unreferenced files).

Restore checks everything before it touches anything: the archive reads to the end, every member's
sha256 matches the manifest, the vendor is the configured database's, and every migration the archive
has applied is known to the installed code. Then the database is replaced in one step (PostgreSQL:
``DROP SCHEMA public CASCADE``, ``CREATE SCHEMA public`` and the pg_restore script in a single psql
transaction, rolled back entirely on any error; SQLite: the backup API copies the archive's database
onto the live file in one write transaction), and the uploaded files are swapped in.
"""

import contextlib
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

FORMAT = "doluong-backup/1"
MANIFEST = "manifest.json"
DB_MEMBER = {"postgresql": "database/doluong.pgdump", "sqlite": "database/doluong.sqlite3"}
STAGING_PREFIXES = (".restore-", ".previous-")  # restore's work directories inside MEDIA_ROOT
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


# --- helpers ------------------------------------------------------------------------------------------

def _version() -> str:
    try:
        return importlib.metadata.version("doluong")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


class _HashingReader:
    """A file wrapper that hashes what tarfile reads from it."""

    def __init__(self, f):
        self.f, self.h, self.size = f, hashlib.sha256(), 0

    def read(self, n=-1):
        data = self.f.read(n)
        self.h.update(data)
        self.size += len(data)
        return data


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(f"backup supports PostgreSQL and SQLite, not {vendor}")
    if vendor == "sqlite" and _sqlite_path() is None:
        raise BackupError("the SQLite database is in memory: there is nothing to back up or restore")
    return vendor


def _sqlite_path() -> Path | None:
    name = str(settings.DATABASES["default"]["NAME"])
    if name in ("", ":memory:") or name.startswith("file::memory:") or "mode=memory" in name:
        return None
    return Path(name)


def _pg_env() -> dict:
    """libpq environment for pg_dump / pg_restore / psql: the configured database, password not on argv."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    options = db.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                     ("sslkey", "PGSSLKEY"), ("connect_timeout", "PGCONNECT_TIMEOUT"), ("service", "PGSERVICE")):
        if options.get(key):
            env[var] = str(options[key])
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client (Debian: apt-get install "
                          f"postgresql-client-15, the same major version as the server or newer)")
    return path


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(argv, capture_output=True, text=True, env=_pg_env(), check=False, **kwargs)
    if proc.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed (exit {proc.returncode}): {proc.stderr.strip()}")
    return proc


def _media_files(media: Path, exclude: Path | None = None):
    """(relative POSIX path, absolute path) of every regular file under MEDIA_ROOT, sorted."""
    if not media.is_dir():
        return
    exclude = exclude.resolve() if exclude is not None else None
    for root, dirs, files in os.walk(media):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not (here == media and d.startswith(STAGING_PREFIXES))
                         and (exclude is None or (here / d).resolve() != exclude))
        for name in sorted(files):
            path = here / name
            if path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(media).as_posix(), path


def applied_migrations_from_cursor(cursor) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    out: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        out.setdefault(app, []).append(name)
    return out


# --- backup -------------------------------------------------------------------------------------------

@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float
    removed: list[Path] = field(default_factory=list)


def _dump_postgresql(target: Path) -> dict:
    pg_dump = _tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        migrations = applied_migrations_from_cursor(cursor)
        _run([pg_dump, "--format=custom", "--snapshot", snapshot, "--file", str(target)])
    tool_version = _run([pg_dump, "--version"]).stdout.strip()
    return {"vendor": "postgresql", "server_version": server_version, "dump": tool_version,
            "migrations": migrations}


def _dump_sqlite(target: Path) -> dict:
    source = _sqlite_path()
    if not source.exists():
        raise BackupError(f"the SQLite database {source} does not exist")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copied SQLite database fails its check: {check}")
        migrations = applied_migrations_from_cursor(dst.cursor())
    finally:
        dst.close()
        src.close()
    return {"vendor": "sqlite", "server_version": sqlite3.sqlite_version, "dump": "sqlite3 online backup API",
            "migrations": migrations}


def create(out_dir: Path, keep: int | None = None) -> BackupResult:
    """Write a new archive into ``out_dir``; with ``keep``, then delete the oldest archives beyond it."""
    started = time.monotonic()
    vendor = _vendor()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    name = f"doluong-{now:%Y%m%d-%H%M%S}.tar.gz"
    final = out_dir / name
    n = 1
    while final.exists():
        n += 1
        final = out_dir / f"doluong-{now:%Y%m%d-%H%M%S}-{n}.tar.gz"
    partial = final.with_name(final.name + ".partial")
    media = Path(settings.MEDIA_ROOT)
    members: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="doluong-backup-", dir=out_dir) as work:
        dump = Path(work) / Path(DB_MEMBER[vendor]).name
        db_info = _dump_postgresql(dump) if vendor == "postgresql" else _dump_sqlite(dump)
        old_umask = os.umask(0o077)  # the archive holds password hashes and personal data
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                entries = [(DB_MEMBER[vendor], dump)]
                entries += [(f"media/{rel}", path) for rel, path in _media_files(media, exclude=out_dir)]
                media_bytes = 0
                for arcname, path in entries:
                    info = tar.gettarinfo(str(path), arcname)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    info.mode = 0o600
                    with open(path, "rb") as f:
                        reader = _HashingReader(f)
                        tar.addfile(info, reader)
                    members[arcname] = {"size": reader.size, "sha256": reader.h.hexdigest()}
                    if arcname.startswith("media/"):
                        media_bytes += reader.size
                migrations = db_info.pop("migrations")
                manifest = {
                    "format": FORMAT,
                    "doluong_version": _version(),
                    "django_version": django.get_version(),
                    "created_at": now.isoformat(timespec="seconds"),
                    "database": {**db_info, "member": DB_MEMBER[vendor]},
                    "migrations": migrations,
                    "media": {"files": len(entries) - 1, "bytes": media_bytes},
                    "members": members,
                }
                data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            os.umask(old_umask)
    removed = _keep_newest(out_dir, keep) if keep else []
    return BackupResult(final, manifest, time.monotonic() - started, removed)


def _keep_newest(out_dir: Path, keep: int) -> list[Path]:
    archives = sorted(out_dir.glob("doluong-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = archives[keep:]
    for path in removed:
        path.unlink()
    return removed


# --- restore ------------------------------------------------------------------------------------------

@dataclass
class Verified:
    """An archive extracted to ``staging`` and checked against its manifest and the installed code."""

    manifest: dict
    staging: Path
    database: Path
    pending_migrations: list[str]
    warnings: list[str]


def _safe_member_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the archive is refused: unsafe member name {name!r}")
    if path.parts[0] not in ("database", "media") and name != MANIFEST:
        raise BackupError(f"the archive is refused: unexpected member {name!r}")
    return path


def _extract(archive: Path, staging: Path) -> dict:
    """Extract every member to ``staging`` while hashing it; the manifest and the computed hashes."""
    manifest = None
    seen: dict[str, dict] = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"the archive is refused: {member.name!r} is not a regular file")
                rel = _safe_member_name(member.name)
                source = tar.extractfile(member)
                if rel.as_posix() == MANIFEST:
                    try:
                        manifest = json.loads(source.read())
                    except ValueError as exc:
                        raise BackupError(f"the archive is refused: its manifest is not valid JSON ({exc})") from exc
                    continue
                target = staging.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                h, size = hashlib.sha256(), 0
                with open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        h.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                if member.mtime:
                    os.utime(target, (member.mtime, member.mtime))
                seen[rel.as_posix()] = {"size": size, "sha256": h.hexdigest()}
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise BackupError(f"the archive is refused: it cannot be read to the end, it is damaged or "
                          f"truncated ({type(exc).__name__}: {exc})") from exc
    if manifest is None:
        raise BackupError(f"the archive is refused: it has no {MANIFEST}, it is not a doluong backup")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"the archive is refused: format {manifest.get('format')!r}, this version reads {FORMAT}")
    expected = manifest.get("members") or {}
    bad = sorted(name for name in expected.keys() | seen.keys() if expected.get(name) != seen.get(name))
    if bad:
        missing = [n for n in bad if n not in seen]
        extra = [n for n in bad if n not in expected]
        changed = [n for n in bad if n in seen and n in expected]
        parts = [f"{label}: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}"
                 for label, names in (("checksum or size differs", changed), ("missing", missing),
                                      ("not in the manifest", extra)) if names]
        raise BackupError("the archive is refused: it does not match its manifest (" + "; ".join(parts) + ")")
    return manifest


def _check_migrations(manifest: dict) -> tuple[list[str], list[str]]:
    """Migrations the code has and the archive lacks (to apply after restoring), and warnings.

    Refuses an archive with a migration the code does not know: it comes from a newer doluong whose
    schema this code cannot run; install that version first.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces or [])
    archived = {(app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names}
    unknown = sorted(f"{app}.{name}" for app, name in archived - known if app in loader.migrated_apps)
    if unknown:
        raise BackupError("the archive is refused: it was made by a newer version of doluong; this code does not "
                          f"know its migrations {', '.join(unknown[:8])}{' …' if len(unknown) > 8 else ''}. "
                          "Install the version that made it (manifest doluong_version "
                          f"{manifest.get('doluong_version')!r}), restore, then upgrade.")
    warnings = []
    other_apps = sorted({app for app, _name in archived if app not in loader.migrated_apps})
    if other_apps:
        warnings.append(f"the archive has tables of apps this code does not install: {', '.join(other_apps)}")
    pending = []
    for key, migration in loader.graph.nodes.items():
        if key in archived or (migration.replaces and set(migration.replaces) <= archived):
            continue
        pending.append(f"{key[0]}.{key[1]}")
    return pending, warnings


def verify(archive: Path) -> Verified:
    """Extract and check ``archive``; nothing outside the staging directory is touched."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no such archive: {archive}")
    vendor = _vendor()
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIXES[0], dir=media))  # same file system as MEDIA_ROOT
    try:
        manifest = _extract(archive, staging)
        db = manifest.get("database") or {}
        if db.get("vendor") != vendor:
            raise BackupError(f"the archive is refused: it holds a {db.get('vendor')} database and the configured "
                              f"database is {vendor}; restore it into a {db.get('vendor')} database")
        database = staging / DB_MEMBER[vendor]
        if not database.is_file():
            raise BackupError(f"the archive is refused: it has no {DB_MEMBER[vendor]}")
        if vendor == "sqlite":
            with contextlib.closing(sqlite3.connect(database)) as check:
                result = check.execute("PRAGMA quick_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"the archive is refused: its SQLite database fails its check ({result})")
        pending, warnings = _check_migrations(manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Verified(manifest, staging, database, pending, warnings)


def _restore_postgresql(dump: Path) -> None:
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    env = _pg_env()
    connection.close()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as psql_err:
        script = subprocess.Popen([pg_restore, "--no-owner", "--no-privileges", "--file", "-", str(dump)],
                                  stdout=subprocess.PIPE, stderr=restore_err, env=env)
        apply = subprocess.Popen([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", "-"],
                                 stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        try:
            apply.stdin.write(b"SET lock_timeout = '60s';\n"
                              b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n")
            while chunk := script.stdout.read(CHUNK):
                apply.stdin.write(chunk)
            apply.stdin.close()
        except BrokenPipeError:
            pass  # psql stopped on an error: its message is read below
        script.stdout.close()
        script_rc, apply_rc = script.wait(), apply.wait()
        if script_rc != 0 or apply_rc != 0:
            restore_err.seek(0)
            psql_err.seek(0)
            message = (restore_err.read() + psql_err.read()).decode(errors="replace").strip()
            raise BackupError("the restore failed and was rolled back, the database is unchanged "
                              f"(pg_restore exit {script_rc}, psql exit {apply_rc}): {message[-2000:]}")


def _restore_sqlite(copy: Path) -> None:
    target = _sqlite_path()
    connection.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(copy)
    dst = sqlite3.connect(target, timeout=60)
    try:
        mode = dst.execute("PRAGMA journal_mode").fetchone()[0]
        src.backup(dst)  # one step: a single write transaction on the live database
        dst.execute(f"PRAGMA journal_mode={'WAL' if mode == 'wal' else mode}")
    except sqlite3.Error as exc:
        raise BackupError(f"the restore failed, the database is unchanged: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _swap_media(staging: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    incoming = staging / "media"
    previous = Path(tempfile.mkdtemp(prefix=STAGING_PREFIXES[1], dir=media))
    for child in list(media.iterdir()):
        if child.name.startswith(STAGING_PREFIXES):
            continue
        child.rename(previous / child.name)
    if incoming.is_dir():
        for child in list(incoming.iterdir()):
            child.rename(media / child.name)
    shutil.rmtree(previous, ignore_errors=True)


def other_sessions() -> int:
    """Other connections to the configured PostgreSQL database (web, worker) that a restore would disturb."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def restore(verified: Verified) -> None:
    """Replace the database and the uploaded files with a verified archive's, then drop the staging."""
    try:
        if verified.manifest["database"]["vendor"] == "postgresql":
            _restore_postgresql(verified.database)
        else:
            _restore_sqlite(verified.database)
        _swap_media(verified.staging)
    finally:
        shutil.rmtree(verified.staging, ignore_errors=True)


def discard(verified: Verified) -> None:
    shutil.rmtree(verified.staging, ignore_errors=True)
