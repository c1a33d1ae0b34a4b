"""Uploads: type checked on content (magic bytes), stored outside static/ under a generated id."""
from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zlib import error as zlib_error

from flask import current_app, send_file
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from models import ActionItem, Attachment, User

from .. import audit
from .permissions import can_edit
from .services import NotAllowed, ValidationFailed

TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}
ALLOWED_TEXT = "PDF, DOCX, XLSX, ODT, PNG of JPEG"


# Bounded decompression: an archive is judged on its directory before any member is read.
ZIP_MAX_MEMBERS = 10000
ZIP_MAX_TOTAL = 200 * 1024 * 1024      # declared uncompressed bytes, all members together
ZIP_MAX_RATIO = 200                     # declared uncompressed / compressed, per member
MIMETYPE_MAX = 128                      # an ODF "mimetype" member is one short line


def _archive_is_sane(archive: zipfile.ZipFile) -> bool:
    members = archive.infolist()
    if len(members) > ZIP_MAX_MEMBERS or sum(m.file_size for m in members) > ZIP_MAX_TOTAL:
        return False
    return all(m.file_size <= max(m.compress_size, 1) * ZIP_MAX_RATIO or m.file_size <= 64 * 1024 for m in members)


def _read_bounded(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """At most `limit` bytes of one member (the declared size is checked first, the read is capped too)."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        return None
    with archive.open(info) as member:
        return member.read(limit + 1)[: limit + 1]


def sniff(data: bytes) -> str | None:
    """The file's real type from its first bytes (and, for ZIP containers, their contents)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if not _archive_is_sane(archive):
                    return None
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = _read_bounded(archive, "mimetype", MIMETYPE_MAX)
                    if mimetype is not None and mimetype.strip() == b"application/vnd.oasis.opendocument.text":
                        return "odt"
                if "[Content_Types].xml" in names and "word/document.xml" in names:
                    return "docx"
                if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                    return "xlsx"
        except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError, EOFError, zlib_error):
            return None
    return None


def safe_filename(name: str) -> str:
    name = Path(name or "bestand").name.strip().replace("\x00", "")
    name = "".join(c for c in name if c.isprintable() and c not in '\\/:*?"<>|')
    return name[:200] or "bestand"


def store(session: Session, actor: User, item: ActionItem, filename: str, data: bytes, storage: Path,
          max_bytes: int, is_evidence: bool = False) -> Attachment:
    if not can_edit(actor, item):
        raise NotAllowed("cannot upload")
    if not data:
        raise ValidationFailed({"file": _("Het bestand is leeg.")})
    if len(data) > max_bytes:
        raise ValidationFailed({"file": _("Het bestand is te groot (hoogstens %(mb)d MB).", mb=max_bytes // (1024 * 1024))})
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed({"file": _("Dit bestandstype is niet toegestaan. Toegestaan: %(types)s.", types=ALLOWED_TEXT)})
    key = secrets.token_hex(16)
    storage.mkdir(parents=True, exist_ok=True)
    path = storage / key
    path.write_bytes(data)
    attachment = Attachment(
        action_item_id=item.id, uploaded_by_id=actor.id, storage_key=key, filename=safe_filename(filename),
        content_type=TYPES[kind], size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        is_evidence=is_evidence, uploaded_at=datetime.now(UTC),
    )
    session.add(attachment)
    try:
        session.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    audit.record("action.attachment_uploaded", session=session, actor=actor, entity_type="action_item", entity_id=item.id,
                 attachment_id=attachment.id, type=kind, size=len(data))
    return attachment


def send(attachment: Attachment, storage: Path):
    """The file as a download: never rendered inline, sandboxed, private (no-store comes from security.py)."""
    response = send_file(storage / attachment.storage_key, mimetype=attachment.content_type,
                         as_attachment=True, download_name=attachment.filename)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def storage_dir() -> Path:
    """Where the bytes live: outside static/, under the instance folder."""
    return Path(current_app.instance_path) / "attachments"


def store_upload(session: Session, actor: User, item: ActionItem, upload, is_evidence: bool = False) -> Attachment:
    """An uploaded file (werkzeug FileStorage), read no further than one byte past the limit, then `store`."""
    limit = current_app.config["PORTAL_UPLOAD_MAX"]
    return store(session, actor, item, upload.filename or "", upload.read(limit + 1), storage_dir(), limit, is_evidence=is_evidence)


def of_item(session: Session, item: ActionItem, attachment_id: int) -> Attachment | None:
    """The attachment, if it belongs to this item (the caller has already checked that the item is visible)."""
    attachment = session.get(Attachment, attachment_id)
    return attachment if attachment is not None and attachment.action_item_id == item.id else None
