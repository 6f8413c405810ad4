"""What an attachment really is, from its bytes (SECURITY.md: uploads).

The name and the declared content type of a mail part are the sender's word; the first
bytes are not. A file is kept only when its content is one of the kinds below, and it is
stored under the type its content shows (a "photo.jpg" that is a PDF is kept as a PDF;
an "invoice.pdf" that is a Windows program is refused). Text is accepted only with a
text extension and without NUL bytes; Office documents by their container and extension.
"""

import io
import zipfile

SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
]
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_TYPES = {".doc": "application/msword", ".xls": "application/vnd.ms-excel",
             ".ppt": "application/vnd.ms-powerpoint"}
OOXML_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
TEXT_TYPES = {".txt": "text/plain", ".log": "text/plain", ".csv": "text/csv", ".eml": "message/rfc822"}
MAX_ZIP_MEMBERS = 10000


def extension_of(name):
    name = (name or "").strip().lower()
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def _is_text(data):
    if b"\x00" in data:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _zip_kind(data, extension):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if len(names) > MAX_ZIP_MEMBERS:
        return None
    if extension in OOXML_TYPES and "[Content_Types].xml" in names:
        return OOXML_TYPES[extension], extension
    return "application/zip", ".zip"


def sniff(data, name=""):
    """Return (content type, extension) of ``data``, or None for a kind not accepted."""
    extension = extension_of(name)
    for signature, content_type, ext in SIGNATURES:
        if data.startswith(signature):
            return content_type, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    if data.startswith(OLE):
        return (OLE_TYPES[extension], extension) if extension in OLE_TYPES else None
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, extension)
    if extension in TEXT_TYPES and data and _is_text(data):
        return TEXT_TYPES[extension], extension
    return None
