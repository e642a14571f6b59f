"""Backup and restore of a whole installation: the database and every stored file, taken
together while Acorn runs, with a manifest of SHA-256 checksums (issue 15).

A backup is a folder `acorn-backup-<UTC time>/` holding:

- `database.sqlite3` (SQLite's online backup API: a consistent copy while others write)
  or `database.pgdump` (`pg_dump --format=custom`, one consistent snapshot);
- `files/…`, every file of the default storage (local folder or S3 bucket), by name;
- `manifest.json`: when, which database engine, and the size and SHA-256 of each file.

The database is copied first, then the files: a file added meanwhile is copied too
(harmless: nothing names it after a restore, and the restore removes it), and a file
deleted meanwhile belongs to a row whose deletion is re-applied on restore (below).

Deletion and backups (L-4): every deletion for good writes a `DeletionRecord`. A restore
first reads the live installation's records made since the backup, then restores, then
deletes again what the backup still holds (rows and files) and keeps the records. Backups
expire: `manage.py backup --keep-days N` removes this folder's older backups.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction

FORMAT = "acorn-backup/1"
PREFIX = "acorn-backup-"
STAMP = "%Y%m%dT%H%M%S%fZ"


class BackupError(Exception):
    """A backup or restore that can't go ahead; the message says why and what to do."""


# Deletions ------------------------------------------------------------------------------


def record_deletions(object_type: str, object_ids) -> None:
    from acorn.ops.models import DeletionRecord

    DeletionRecord.objects.bulk_create(
        [DeletionRecord(object_type=object_type, object_id=str(i)) for i in object_ids]
    )


def _reapply(records) -> dict:
    """Delete again whatever a restored backup still holds of these deletions."""
    from acorn.journal.models import MediaItem, Observation
    from acorn.ops.models import DeletionRecord

    by_type: dict[str, set] = {}
    for record in records:
        by_type.setdefault(record["object_type"], set()).add(record["object_id"])
    prefixes = set(by_type.get("media", ()))
    observation_ids = by_type.get("observation", set())
    with transaction.atomic():
        prefixes |= set(
            MediaItem.objects.filter(observation_id__in=observation_ids).values_list(
                "storage_prefix", flat=True
            )
        )
        rows = MediaItem.objects.filter(storage_prefix__in=prefixes).delete()[0]
        rows += Observation.objects.filter(pk__in=observation_ids).delete()[0]
    # Children purged since the backup (L-4) are purged again, files and all.
    from acorn.children.models import Child
    from acorn.leaving.purge import child_purge

    for child in Child.objects.filter(pk__in=by_type.get("child", ())):
        child_purge(child=child)
        rows += 1
    with transaction.atomic():
        # The records stay, with their own times, for any later restore of this one.
        for record in records:
            kept = DeletionRecord.objects.create(
                object_type=record["object_type"], object_id=record["object_id"]
            )
            DeletionRecord.objects.filter(pk=kept.pk).update(at=record["at"])
    files = 0
    for prefix in prefixes:
        for name in _walk(prefix):
            default_storage.delete(name)
            files += 1
    return {"rows": rows, "files": files}


# Files ----------------------------------------------------------------------------------


def _walk(folder: str = "") -> list[str]:
    """Every file name under a storage folder (local or S3), recursively."""
    try:
        dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    here = [f"{folder}/{name}" if folder else name for name in files]
    for sub in dirs:
        here += _walk(f"{folder}/{sub}" if folder else sub)
    return here


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def _pg_env() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    args += ["-U", db.get("USER") or "postgres", "-d", db["NAME"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client tools (Debian: "
            f"apt-get install postgresql-client) in the version of the server, then try again."
        )
    return found


# Backup ---------------------------------------------------------------------------------


def backup(destination: Path, *, now=None) -> Path:
    """Write one backup folder under `destination`; returns its path."""
    now = now or datetime.now(UTC)
    folder = Path(destination) / f"{PREFIX}{now.strftime(STAMP)}"
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "files").mkdir(parents=True)
    partial.chmod(0o700)  # every child's photos and records: for the operator alone
    if _is_sqlite():
        database = partial / "database.sqlite3"
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(database)
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        database = partial / "database.pgdump"
        args, env = _pg_env()
        subprocess.run(  # noqa: S603 - our own arguments, from settings
            [_binary("pg_dump"), "--format=custom", "--no-owner", "-f", str(database), *args],
            env=env,
            check=True,
            capture_output=True,
        )
    files = []
    for name in sorted(_walk()):
        if name.startswith("_health/"):
            continue  # /healthz's probe, gone a moment later
        target = partial / "files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with default_storage.open(name, "rb") as stored, target.open("wb") as out:
                shutil.copyfileobj(stored, out, length=1024 * 1024)
        except FileNotFoundError:
            continue  # deleted since it was listed: its deletion is on record
        files.append({"name": name, "size": target.stat().st_size, "sha256": _sha256(target)})
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "engine": connection.vendor,
        "database": {"name": database.name, "sha256": _sha256(database)},
        "files": files,
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=1))
    partial.rename(folder)  # a backup folder without ".partial" is complete
    return folder


def expire(destination: Path, *, keep_days: int, now=None) -> list[Path]:
    """Remove backups older than `keep_days` (L-4: erased data doesn't live on in them)."""
    now = now or datetime.now(UTC)
    removed = []
    for folder in sorted(Path(destination).glob(f"{PREFIX}*")):
        stamp = folder.name.removeprefix(PREFIX).removesuffix(".partial")
        try:
            taken = datetime.strptime(stamp, STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue
        if now - taken > timedelta(days=keep_days):
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


# Restore --------------------------------------------------------------------------------


def verify(folder: Path) -> dict:
    """The manifest, once every checksum in it has been checked."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            f"{folder} has no readable manifest.json: not a complete backup."
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is not an Acorn backup this version can read.")
    damaged = []
    database = folder / manifest["database"]["name"]
    if not database.is_file() or _sha256(database) != manifest["database"]["sha256"]:
        damaged.append(manifest["database"]["name"])
    for entry in manifest["files"]:
        path = folder / "files" / entry["name"]
        if not path.is_file() or _sha256(path) != entry["sha256"]:
            damaged.append(entry["name"])
    if damaged:
        raise BackupError(
            f"This backup is damaged ({len(damaged)} file(s) don't match the manifest, "
            f"e.g. {damaged[0]}). Nothing was restored; use another backup."
        )
    return manifest


def _live_deletions_since(moment) -> list[dict]:
    from acorn.ops.models import DeletionRecord

    try:
        return list(
            DeletionRecord.objects.filter(at__gte=moment).values("object_type", "object_id", "at")
        )
    except Exception:  # no live database (restoring after losing it): nothing to re-apply
        return []


def restore(folder: Path) -> dict:
    """Replace the database and stored files with a backup, then delete again what was
    deleted since it was taken. Run with Acorn and its workers stopped."""
    folder = Path(folder)
    manifest = verify(folder)
    if manifest["engine"] != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest['engine']} database; this installation uses "
            f"{connection.vendor}."
        )
    deletions = _live_deletions_since(datetime.fromisoformat(manifest["created_at"]))
    database = folder / manifest["database"]["name"]
    connection.close()
    if _is_sqlite():
        live = sqlite3.connect(connection.settings_dict["NAME"])
        source = sqlite3.connect(database)
        with live:
            source.backup(live)
        source.close()
        live.close()
    else:
        args, env = _pg_env()
        subprocess.run(  # noqa: S603 - our own arguments, from settings
            [
                _binary("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(database),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    wanted = {entry["name"] for entry in manifest["files"]}
    removed = 0
    for name in _walk():
        if name not in wanted:
            default_storage.delete(name)  # made after the backup: nothing names it now
            removed += 1
    for entry in manifest["files"]:
        name = entry["name"]
        if default_storage.exists(name):
            default_storage.delete(name)
        with (folder / "files" / name).open("rb") as source:
            saved = default_storage.save(name, File(source))
        if saved != name:
            raise BackupError(f"Storage renamed {name} to {saved} while restoring.")
    reapplied = _reapply(deletions) if deletions else {"rows": 0, "files": 0}
    return {
        "files": len(manifest["files"]),
        "removed": removed,
        "deletions": len(deletions),
        "reapplied": reapplied,
    }
