"""Files attached to directives (WRK-2): checked by their bytes and size, never by the
name or the browser's content type. Office files are zips: their entries and their
uncompressed size are bounded, and their names may not climb out of the archive.
Uploads are checked where they lie (memory or a temporary file), not read whole."""

import hashlib
import zipfile

from django.utils.translation import gettext as _

from guanxi.core.errors import ValidationFailed

MAX_SIZE = 20 * 1024 * 1024
MAX_FILES = 10
MAX_ZIP_ENTRIES = 2000
MAX_UNZIPPED = 200 * 1024 * 1024

_PLAIN = [(b"%PDF-", "application/pdf", ".pdf"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
          (b"\x89PNG\r\n\x1a\n", "image/png", ".png")]
# Office Open XML: a zip whose main part names the application.
_OFFICE = [("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
           ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
           ("ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ".pptx")]


def _office_kind(fileobj):
    try:
        entries = zipfile.ZipFile(fileobj).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED:
        return None
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or any(n.startswith("/") or ".." in n.split("/") for n in names):
        return None
    return next(((ctype, ext) for part, ctype, ext in _OFFICE if part in names), None)


def file_kind(fileobj):
    """Return (content type, extension) recognised from the content, or None."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    for signature, content_type, extension in _PLAIN:
        if head.startswith(signature):
            return content_type, extension
    if head.startswith(b"PK\x03\x04"):
        kind = _office_kind(fileobj)
        fileobj.seek(0)
        return kind
    return None


def check(upload):
    """Return (content type, extension) of an acceptable upload or raise ValidationFailed."""
    if not upload.size:
        raise ValidationFailed(_("The file is empty."), field="attachments")
    if upload.size > MAX_SIZE:
        raise ValidationFailed(_("Files of at most 20 MB, please."), field="attachments")
    kind = file_kind(upload)
    if kind is None:
        raise ValidationFailed(_("Attach a PDF, an image (JPEG, PNG) or a Word, Excel or PowerPoint file."),
                               field="attachments")
    return kind


def store(attachment, upload):
    """Save a checked upload under a random name and the attachment row."""
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment.checksum = digest.hexdigest()
    attachment.size = upload.size
    attachment.file.save(f"file{attachment.extension}", upload, save=False)
    attachment.save()
    return attachment
