"""Backup and restore of the database and the evidence store (`manage.py backup`, `manage.py restore`).

A backup is one tar archive:
  manifest.json  when, which engine, row counts per table, the audit chain head, every evidence file's SHA-256
  database.dump  pg_dump custom format (PostgreSQL) or a SQLite database file (the online backup API)
  evidence/...   the evidence store's files as stored (already encrypted, docs/adr/0020)

The counts and the dump come from one snapshot (PostgreSQL: an exported REPEATABLE READ snapshot handed to
pg_dump; SQLite: counted on the copy itself), so a backup taken under load still checks out exactly.
Restore goes into an empty instance and then proves itself: counts, file hashes and the audit chain.
See docs/production.md.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from safeguard.audit.models import AuditChainHead
from safeguard.audit.services import verify_chain

FORMAT_VERSION = 1
EVIDENCE_PREFIX = "evidence/"
SKIPPED_PREFIXES = ("readyz/",)  # readiness probes' scratch files


class BackupError(Exception):
    pass


def _tables() -> list[str]:
    names = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            names.add(model._meta.db_table)
    return sorted(names)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _pg_env() -> dict[str, str]:
    settings = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            env[variable] = str(settings[key])
    return env


def _walk_storage(storage, directory: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{directory}/{name}" if directory else name
        if not path.startswith(SKIPPED_PREFIXES):
            yield path
    for folder in folders:
        yield from _walk_storage(storage, f"{directory}/{folder}" if directory else folder)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _audit_head(cursor) -> dict:

    cursor.execute(f"SELECT sequence, last_hash FROM {AuditChainHead._meta.db_table} WHERE id = 1")  # noqa: S608
    row = cursor.fetchone()
    return {"sequence": row[0], "last_hash": row[1]} if row else {"sequence": 0, "last_hash": "0" * 64}


def _count_tables(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names come from our own models
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_postgres(workdir: Path) -> tuple[Path, dict, dict]:
    """pg_dump inside the snapshot the counts were taken in."""
    dump = workdir / "database.dump"
    settings = connection.settings_dict
    connection.ensure_connection()
    # Autocommit stays on, so this explicit BEGIN opens the one transaction whose snapshot pg_dump shares.
    with connection.connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count_tables(cursor, _tables())
            head = _audit_head(cursor)
            command = ["pg_dump", "-Fc", "--no-owner", "--no-acl", f"--snapshot={snapshot}", "-f", str(dump)]
            result = subprocess.run(  # noqa: S603
                [*command, settings["NAME"]], env=_pg_env(), capture_output=True, text=True, check=False
            )
        finally:
            cursor.execute("COMMIT")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
    return dump, counts, head


def _dump_sqlite(workdir: Path) -> tuple[Path, dict, dict]:
    dump = workdir / "database.dump"
    connection.ensure_connection()
    target = sqlite3.connect(dump)
    try:
        connection.connection.backup(target)
        cursor = target.cursor()
        counts = _count_tables(cursor, _tables())
        head = _audit_head(cursor)
    finally:
        target.close()
    return dump, counts, head


def create_backup(output: Path) -> dict:
    """Write the archive to `output` (written aside, then renamed: a half-written backup never looks whole)."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="safeguard-backup-") as tmp:
        workdir = Path(tmp)
        dump, counts, head = _dump_postgres(workdir) if _is_postgres() else _dump_sqlite(workdir)
        partial = output.with_name(output.name + ".partial")
        storage = storages["evidence"]
        files: dict[str, str] = {}
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname="database.dump")
            for name in _walk_storage(storage):
                with storage.open(name, "rb") as handle:
                    data = handle.read()
                files[name] = _sha256(data)
                _add_bytes(archive, EVIDENCE_PREFIX + name, data)
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "engine": connection.vendor,
                "database_sha256": _sha256(dump.read_bytes()),
                "counts": counts,
                "audit_head": head,
                "evidence": files,
            }
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode())
        os.replace(partial, output)
    return manifest


@dataclass
class RestoreReport:
    counts_checked: int = 0
    files_checked: int = 0
    audit_entries_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _extract(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    """A member's contents (KeyError when there is none, as `extractfile`); a member that is not a file is refused."""
    member = archive.extractfile(name)
    if member is None:
        raise BackupError(f"{name} in this archive is not a file: it is not a Safeguard backup.")
    return member


def _read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(_extract(archive, "manifest.json"))
    except KeyError:
        raise BackupError("This archive has no manifest.json: it is not a Safeguard backup.") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unsupported backup format {manifest.get('format')!r}.")
    return manifest


def _instance_is_empty() -> bool:
    # By label, not import: core sits below the apps whose rows it looks for.
    models = (apps.get_model("reporting", "Report"), apps.get_model("audit", "AuditEntry"))
    tables = set(connection.introspection.table_names())
    return not any(model._meta.db_table in tables and model.objects.exists() for model in models)


def _restore_postgres(dump: Path) -> None:
    settings = connection.settings_dict
    connection.close()
    command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-acl", "--single-transaction"]
    result = subprocess.run(  # noqa: S603
        [*command, "-d", settings["NAME"], str(dump)],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")


def _restore_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def restore_backup(archive_path: Path, *, force: bool = False) -> RestoreReport:
    archive_path = Path(archive_path)
    if not archive_path.exists():
        raise BackupError(f"No backup at {archive_path}.")
    with tarfile.open(archive_path, "r") as archive, tempfile.TemporaryDirectory(prefix="safeguard-restore-") as tmp:
        manifest = _read_manifest(archive)
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                f"This backup is of a {manifest['engine']} database; this instance uses {connection.vendor}."
            )
        if not force and not _instance_is_empty():
            raise BackupError("This instance already holds reports or audit entries; restore only into an empty one.")
        dump = Path(tmp) / "database.dump"
        with _extract(archive, "database.dump") as source, open(dump, "wb") as target:
            shutil.copyfileobj(source, target)
        if _sha256(dump.read_bytes()) != manifest["database_sha256"]:
            raise BackupError("The database dump in this archive does not match its manifest (damaged archive).")
        _restore_postgres(dump) if _is_postgres() else _restore_sqlite(dump)
        storage = storages["evidence"]
        for name in manifest["evidence"]:
            data = _extract(archive, EVIDENCE_PREFIX + name).read()
            if storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, ContentFile(data))
            if saved != name:
                raise BackupError(f"Evidence file {name} was stored as {saved}; the restore is incomplete.")
    return verify_restore(manifest)


def verify_restore(manifest: dict) -> RestoreReport:
    """Check the live instance against a backup's manifest: counts, evidence hashes, the audit chain."""

    report = RestoreReport()
    with connection.cursor() as cursor:
        counts = _count_tables(cursor, [t for t in manifest["counts"] if t in connection.introspection.table_names()])
    for table, expected in manifest["counts"].items():
        found = counts.get(table)
        if found != expected:
            report.problems.append(f"table {table}: {found} rows, the backup had {expected}")
        report.counts_checked += 1
    storage = storages["evidence"]
    for name, expected in manifest["evidence"].items():
        try:
            with storage.open(name, "rb") as handle:
                actual = _sha256(handle.read())
        except FileNotFoundError:
            actual = None
        if actual != expected:
            report.problems.append(f"evidence file {name}: {'missing' if actual is None else 'hash differs'}")
        report.files_checked += 1
    verdict = verify_chain()
    report.audit_entries_checked = verdict.checked
    if not verdict.ok:
        report.problems.append(f"audit chain broken at sequence {verdict.first_broken_sequence}: {verdict.reason}")
    head = manifest["audit_head"]
    if verdict.checked != head["sequence"]:
        report.problems.append(f"audit chain has {verdict.checked} entries, the backup had {head['sequence']}")

    live_head = AuditChainHead.objects.filter(id=1).first()
    if head["sequence"] and (live_head is None or live_head.last_hash != head["last_hash"]):
        report.problems.append("audit chain head hash differs from the backup's")
    return report
