"""Importing a keepsake from another Acorn installation (L-5): `manage.py import_keepsake`.

The archive is never trusted. Before anything is written:

- it must be a zip whose every name is one the export writes (`journal.json`,
  `journal.pdf`, `media/<uuid>.<ext>`): absolute paths, `..`, backslashes and links are
  refused (zip slip), and nothing is ever extracted by the archive's own names;
- sizes are capped while reading (not taken from the zip's headers): journal.json, each
  photo and video (the installation's upload limits), and the whole;
- journal.json must be a format and version this importer knows and follow its JSON
  Schema (`keepsake-journal.schema.json`, the same file as docs/), and every file it
  names must be in the zip, once;
- every photo and video goes through the real media pipeline, as an upload does: checked
  by content (a text file called .jpg is refused), decompression bombs refused, decoded,
  re-encoded into renditions without metadata, the original kept clean.

Then one transaction creates the child in the setting with the given key person (cleared
staff of that setting), the published entries (observed dates, texts, areas, aspects and
characteristics), the family's replies, contributions from home, photos and videos, the
portrait and the shared reports (read-only). Authors are people of another installation:
their names are kept as labels, never as accounts. On any failure the stored files are
deleted again and no row remains. The same keepsake (the same journal.json) is refused the
second time in a setting. Parents are not linked: the setting invites them as usual.
"""

import hashlib
import json
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from acorn.leaving.keepsake import FORMAT

# The versions of journal.json this importer reads (docs/keepsake-format.md).
KNOWN_VERSIONS = (1,)
SCHEMA_PATH = Path(__file__).with_name("keepsake-journal.schema.json")

MAX_JOURNAL_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 50_000
MAX_TOTAL_BYTES = 50 * 1024**3
_MEDIA_NAME = re.compile(r"^media/[0-9a-f-]{36}\.[a-z0-9]{1,5}$")
_ALLOWED_NAMES = {"journal.json", "journal.pdf", "media/"}
_CHUNK = 1024 * 1024


class ImportRefused(Exception):
    """The keepsake can't be imported; the message says why, for the operator."""


@dataclass
class Imported:
    child: object
    counts: dict
    notes: list[str] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_names(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ImportRefused(f"The zip holds {len(members)} files: too many for a keepsake.")
    by_name = {}
    declared = 0
    for info in members:
        name = info.filename
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or "\x00" in name
            or ".." in name.split("/")
            or re.match(r"^[A-Za-z]:", name)
        ):
            raise ImportRefused(f"The zip has an unsafe path ({name!r}); nothing was imported.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ImportRefused(f"The zip has a link ({name!r}); nothing was imported.")
        if name not in _ALLOWED_NAMES and not _MEDIA_NAME.match(name):
            raise ImportRefused(
                f"The zip has a file a keepsake doesn't have ({name!r}); nothing was imported."
            )
        if name in by_name:
            raise ImportRefused(f"The zip has {name!r} twice; nothing was imported.")
        by_name[name] = info
        declared += info.file_size
    if declared > MAX_TOTAL_BYTES:
        raise ImportRefused("The zip is too big to be a keepsake.")
    if "journal.json" not in by_name:
        raise ImportRefused("The zip has no journal.json: is it an Acorn keepsake?")
    return by_name


def _read_capped(archive, info, out: Path, limit: int, what: str) -> None:
    """Copy one member to `out`, stopping as soon as it is bigger than `limit` (the
    header's size is not trusted: a zip bomb can lie)."""
    written = 0
    with archive.open(info) as source, out.open("wb") as target:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                raise ImportRefused(f"{what} is too big ({info.filename}); nothing was imported.")
            target.write(chunk)


def _schema_validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def read_journal(raw: bytes) -> dict:
    """journal.json, checked: UTF-8 JSON, a known format and version, and the schema."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ImportRefused("journal.json isn't readable JSON; nothing was imported.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused("journal.json isn't an Acorn keepsake; nothing was imported.")
    version = document.get("version")
    if version not in KNOWN_VERSIONS:
        raise ImportRefused(
            f"This keepsake is format version {version!r}; this Acorn reads version "
            f"{', '.join(map(str, KNOWN_VERSIONS))}. Update Acorn to import it."
        )
    errors = sorted(_schema_validator().iter_errors(document), key=lambda e: list(e.path))
    if errors:
        error = errors[0]
        where = "/".join(str(p) for p in error.absolute_path) or "(the top)"
        raise ImportRefused(
            f"journal.json doesn't follow the keepsake format at {where}: {error.message}"
        )
    return document


def _referenced_files(document: dict) -> list[tuple[str, str]]:
    """(file, kind) of every photo and video journal.json names, each once."""
    files = []
    portrait = document["child"].get("portrait")
    if portrait:
        files.append((portrait, "photo"))
    for entry in document["entries"]:
        if entry["status"] != "published":
            continue
        files += [(media["file"], media["kind"]) for media in entry["media"]]
    seen = set()
    for name, _kind in files:
        if name in seen:
            raise ImportRefused(f"journal.json names {name} twice; nothing was imported.")
        seen.add(name)
    return files


def _key_person(setting, email: str):
    from acorn.accounts.models import User
    from acorn.org.selectors import membership_in
    from acorn.suitability.selectors import clearance_of

    person = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    membership = membership_in(person, setting.pk) if person is not None else None
    if membership is None or not membership.is_active:
        raise ImportRefused(
            f"{email} isn't staff of {setting.name} (an invitation must be accepted first)."
        )
    if not clearance_of(person, membership.setting).cleared:
        raise ImportRefused(
            f"{person.name} can't be the key person yet: their suitability checks for "
            f"{setting.name} aren't all recorded."
        )
    return person


def _parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImportRefused(f"journal.json has a date that isn't one ({what}).") from None


def _parse_time(value: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImportRefused(f"journal.json has a time that isn't one ({what}).") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _process_media(archive, members, files, workdir: Path, stored: list[str]) -> dict:
    """Every photo and video through the pipeline; returns file -> MediaItem fields.
    Every prefix stored is added to `stored` at once, so a failure can remove it."""
    from acorn.journal.media import media_limits, media_process_local
    from acorn.media_processing import MediaProcessingFailed, MediaRejected

    limits = media_limits()
    ceiling = max(limits.max_photo_bytes, limits.max_video_bytes)
    processed = {}
    for number, (name, kind) in enumerate(files):
        info = members.get(name)
        if info is None:
            raise ImportRefused(f"journal.json names {name}, which isn't in the zip.")
        folder = workdir / f"item{number}"
        folder.mkdir()
        local = folder / "file"
        _read_capped(archive, info, local, ceiling, "A photo or video")
        try:
            fields = media_process_local(local, workdir=folder)
        except MediaRejected as refusal:
            raise ImportRefused(f"{name} was refused: {refusal.message}") from None
        except MediaProcessingFailed:
            raise ImportRefused(f"{name} couldn't be processed; nothing was imported.") from None
        stored.append(fields["storage_prefix"])
        if fields["kind"] != kind:
            raise ImportRefused(
                f"{name} is listed as a {kind} but is a {fields['kind']}; nothing was imported."
            )
        fields["source_sha256"] = _sha256(local)
        processed[name] = fields
        shutil.rmtree(folder, ignore_errors=True)
    return processed


def keepsake_import(*, path, setting_id, key_person_email: str) -> Imported:
    """Import the keepsake at `path` into the setting; see the module's docstring."""
    from acorn.leaving.models import KeepsakeImport
    from acorn.org.models import Setting

    setting = Setting.objects.filter(pk=setting_id).first()
    if setting is None:
        raise ImportRefused(f"There is no setting {setting_id} on this installation.")
    key_person = _key_person(setting, key_person_email)
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        raise ImportRefused(f"{path} isn't a zip file Acorn can read.") from None
    stored: list[str] = []
    try:
        with archive, tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
            workdir = Path(tmp)
            members = _check_names(archive)
            journal_path = workdir / "journal.json"
            _read_capped(
                archive, members["journal.json"], journal_path, MAX_JOURNAL_BYTES, "journal.json"
            )
            raw = journal_path.read_bytes()
            document = read_journal(raw)
            journal_sha256 = hashlib.sha256(raw).hexdigest()
            earlier = KeepsakeImport.objects.filter(
                setting=setting, journal_sha256=journal_sha256
            ).first()
            if earlier is not None:
                raise ImportRefused(
                    f"This keepsake was already imported into {setting.name} on "
                    f"{timezone.localtime(earlier.imported_at):%-d %B %Y at %H:%M} "
                    f"(child {earlier.child_id}); nothing was imported again."
                )
            files = _referenced_files(document)
            missing = [name for name, _kind in files if name not in members]
            if missing:
                raise ImportRefused(
                    f"journal.json names {missing[0]}, which isn't in the zip; "
                    "nothing was imported."
                )
            media = _process_media(archive, members, files, workdir, stored)
            with transaction.atomic():
                imported = _create(
                    setting=setting,
                    key_person=key_person,
                    document=document,
                    media=media,
                    archive_sha256=_sha256(path),
                    journal_sha256=journal_sha256,
                )
    except BaseException as error:
        from acorn.journal.media import media_delete_prefix

        for prefix in stored:
            media_delete_prefix(prefix)
        if isinstance(error, IntegrityError):
            raise ImportRefused(
                "This keepsake was imported into the setting at the same moment by another "
                "run; nothing was imported again."
            ) from None
        raise
    return imported


def _create(*, setting, key_person, document, media, archive_sha256, journal_sha256) -> Imported:
    """All rows, in the caller's transaction."""
    from acorn.audit.services import audit_record
    from acorn.children.models import Child
    from acorn.eyfs.selectors import codes
    from acorn.journal.models import (
        Comment,
        MediaAppearance,
        MediaItem,
        Observation,
        ObservationChild,
    )
    from acorn.leaving.models import ImportedReport, KeepsakeImport

    about = document["child"]
    first_name, last_name = about["first_name"].strip(), about["last_name"].strip()
    if not first_name or len(first_name) > 80 or len(last_name) > 80:
        raise ImportRefused("The child's name in journal.json is empty or too long.")
    if not about.get("date_of_birth"):
        raise ImportRefused("journal.json has no date of birth for the child.")
    notes = []
    twin = Child.objects.filter(
        setting=setting,
        first_name__iexact=first_name,
        last_name__iexact=last_name,
        date_of_birth=_parse_date(about["date_of_birth"], "date of birth"),
    ).first()
    if twin is not None:
        notes.append(
            f"Note: {setting.name} already has a child called {twin.full_name} born on the "
            f"same day ({twin.pk}). Check this isn't the same child: if it is, delete one."
        )
    now = timezone.now()
    child = Child.objects.create(
        setting=setting,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=_parse_date(about["date_of_birth"], "date of birth"),
        start_date=timezone.localdate(),
        key_person=key_person,
    )
    known = codes()
    counts = {
        "entries": 0,
        "from_home": 0,
        "replies": 0,
        "photos": 0,
        "videos": 0,
        "reports": 0,
        "not_imported": 0,
    }
    sources = {}
    dropped_codes = set()

    def make_media(name, *, observation=None, position=0):
        fields = dict(media[name])
        source = fields.pop("source_sha256")
        item = MediaItem.objects.create(
            setting=setting,
            observation=observation,
            position=position,
            status=MediaItem.Status.READY,
            ready_at=now,
            **fields,
        )
        MediaAppearance.objects.create(media=item, child=child)
        sources[str(item.pk)] = source
        counts["photos" if item.kind == "photo" else "videos"] += 1
        return item

    if about.get("portrait"):
        portrait = make_media(about["portrait"])
        counts["photos"] -= 1
        Child.objects.filter(pk=child.pk).update(photo=portrait)
    for order, entry in enumerate(document["entries"]):
        if entry["status"] != "published":
            # A family's contribution still waiting, or not added, at the other setting.
            counts["not_imported"] += 1
            continue
        observed_on = _parse_date(entry["observed_on"], f"entry {entry['id']}")
        areas = [code for code in entry["areas"] if code in known.areas]
        aspects = [code for code in entry.get("aspects", []) if code in known.aspects]
        characteristics = [
            code for code in entry.get("characteristics", []) if code in known.characteristics
        ]
        dropped_codes |= (
            set(entry["areas"]) - set(areas)
            | set(entry.get("aspects", [])) - set(aspects)
            | set(entry.get("characteristics", [])) - set(characteristics)
        )
        areas = list(dict.fromkeys([*areas, *(known.aspects[c][0] for c in aspects)]))
        # Oldest first in the file: each a microsecond later keeps a day's order.
        created = now + timedelta(microseconds=order)
        observation = Observation.objects.create(
            setting=setting,
            author=None,
            author_label=entry["author"][:150],
            text=entry["text"],
            next_steps=entry["next_steps"],
            observed_on=observed_on,
            areas=areas,
            aspects=aspects,
            characteristics=characteristics,
            status=Observation.Status.PUBLISHED,
            by_parent=entry["by_parent"],
            created_at=created,
            updated_at=created,
            published_at=created,
            # Written, reviewed and approved at the other setting: history here, not
            # work for this setting's review list or contributions to approve.
            reviewed_at=created,
            decided_at=created if entry["by_parent"] else None,
        )
        ObservationChild.objects.create(
            observation=observation, child=child, observed_on=observed_on, created_at=created
        )
        counts["from_home" if entry["by_parent"] else "entries"] += 1
        for position, item in enumerate(entry["media"]):
            make_media(item["file"], observation=observation, position=position)
        for reply in entry["replies"]:
            Comment.objects.create(
                observation=observation,
                child=child,
                author=None,
                author_label=reply["author"][:150],
                by_staff=reply["by_staff"],
                text=reply["text"],
                created_at=_parse_time(reply["created_at"], f"reply {reply['id']}"),
            )
            counts["replies"] += 1
    for report in document.get("reports", []):
        ImportedReport.objects.create(
            child=child,
            title=report["title"][:150],
            shared_on=_parse_date(report["shared_on"], "a report")
            if report.get("shared_on")
            else None,
            content=report,
        )
        counts["reports"] += 1
    if dropped_codes:
        notes.append(
            "These EYFS codes aren't in this installation's framework and were left off: "
            + ", ".join(sorted(dropped_codes))
        )
    record = KeepsakeImport.objects.create(
        setting=setting,
        child=child,
        archive_sha256=archive_sha256,
        journal_sha256=journal_sha256,
        source_setting_name=document["setting"]["name"][:200],
        format_version=document["version"],
        exported_at=_parse_time(document["exported_at"], "exported_at"),
        counts=counts,
        media_sources=sources,
    )
    audit_record(
        action="child.imported",
        setting_id=setting.pk,
        child_id=child.pk,
        object_type="keepsake_import",
        object_id=record.pk,
        detail=counts,
    )
    child.refresh_from_db()
    return Imported(child=child, counts=counts, notes=notes)
