"""Reading an inbound e-mail (SRV-7): raw bytes in, plain data out, whatever the bytes are.

A customer's mail may be anything: HTML only, an unknown or lying charset (gb2312 that
is really GBK), 8-bit headers, a multipart without its boundary, broken base64, a
forwarded message, an attachment of 30 MB or a program named "invoice.pdf". ``parse``
never raises on such input: it returns what it could read and lists what it could not
(``problems``, ``refused``), so the job stores the message with a clear note instead of
failing it.

- The text is the first text/plain part; without one, the first text/html part reduced
  to inert text (``html_to_text``: scripts, styles and their content dropped, tags
  removed, entities decoded). Nothing of the mail is ever rendered as HTML.
- Attachments are kept only when ``filetypes.sniff`` recognises their bytes and they are
  within the size and count limits; the others are named in ``refused`` with the reason.
"""

import contextlib
import email
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.utils import getaddresses
from html.parser import HTMLParser

from django.utils.translation import gettext as _

from . import filetypes

MAX_TEXT = 50000
MAX_DEPTH = 20
MAX_PARTS = 200
MESSAGE_ID = re.compile(r"<[^<>\s]{1,290}>")
CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030",
                   "cp936": "gb18030", "ks_c_5601-1987": "cp949", "unicode-1-1-utf-7": "utf-7"}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class Attachment:
    name: str
    size: int
    content_type: str = ""
    extension: str = ""
    data: bytes = b""


@dataclass
class Refused:
    name: str
    size: int
    reason: str


@dataclass
class ParsedMail:
    message_id: str
    subject: str
    from_address: str
    from_name: str
    references: list = field(default_factory=list)
    text: str = ""
    attachments: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    auto_submitted: bool = False


# --- text ----------------------------------------------------------------------------------
def clean_text(value):
    """Text safe to store: surrogates (undecodable 8-bit bytes) re-read as UTF-8 or GB18030,
    NUL and other control characters removed (PostgreSQL refuses NUL in text)."""
    value = str(value or "")
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        raw = value.encode("utf-8", "surrogateescape")
        value = _decode(raw, "utf-8")
    return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _decode(raw, charset):
    """Bytes as text in ``charset``, else UTF-8, else GB18030 (never fails)."""
    charset = (charset or "utf-8").strip().strip('"').lower()
    charset = CHARSET_ALIASES.get(charset, charset)
    for candidate in dict.fromkeys((charset, "utf-8", "gb18030")):
        try:
            return raw.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return raw.decode("utf-8", "replace")


def decode_words(value):
    """A header value with RFC 2047 encoded words decoded, whatever their charset."""
    value = clean_text(value)
    try:
        pieces = decode_header(value)
    except Exception:  # noqa: BLE001 - a malformed header is shown as it came
        return " ".join(value.split())
    text = []
    for piece, charset in pieces:
        if isinstance(piece, bytes):
            # Unencoded runs between encoded words come back as raw-unicode-escape bytes.
            piece = _decode(piece, charset) if charset else piece.decode("raw-unicode-escape", "replace")
        text.append(piece)
    return " ".join(clean_text("".join(text)).split())


class _TextExtractor(HTMLParser):
    """HTML to plain text: the content of scripts, styles and the like is dropped."""

    SKIP = {"script", "style", "head", "title", "template", "noscript", "iframe", "object", "embed", "svg",
            "math", "canvas", "audio", "video", "select", "textarea", "button"}
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote",
             "pre", "hr", "section", "article", "header", "footer", "dd", "dt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
            if tag == "li":
                self.parts.append("• ")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html):
    """Plain text of an HTML document; scripts never survive as markup."""
    extractor = _TextExtractor()
    with contextlib.suppress(Exception):  # HTMLParser is lenient; anything it chokes on is dropped
        extractor.feed(html)
        extractor.close()
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).splitlines()]
    text, blank = [], False
    for line in lines:
        if line:
            text.append(line)
            blank = False
        elif not blank and text:
            text.append("")
            blank = True
    return "\n".join(text).strip()


# --- the message ---------------------------------------------------------------------------
def _header(message, name):
    """The raw value of a header (8-bit bytes kept as surrogates for ``clean_text``)."""
    name = name.lower()
    try:
        values = [value for key, value in message.raw_items() if key.lower() == name]
    except Exception:  # noqa: BLE001
        return ""
    return " ".join(str(v) for v in values)


def _payload(part):
    """The decoded bytes of a leaf part (broken base64 comes back as what could be read)."""
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


def _leaves(part, problems, depth=0, seen=None):
    """The leaf parts, depth first; a forwarded message counts as one leaf (attachment)."""
    seen = seen if seen is not None else [0]
    seen[0] += 1
    if seen[0] > MAX_PARTS:
        if seen[0] == MAX_PARTS + 1:
            problems.append(_("More than %(n)d parts: the rest were not read.") % {"n": MAX_PARTS})
        return
    if depth > MAX_DEPTH:
        problems.append(_("The message is nested too deeply: the inner parts were not read."))
        return
    payload = part.get_payload()
    if part.get_content_maintype() == "multipart":
        if isinstance(payload, list):
            for child in payload:
                yield from _leaves(child, problems, depth + 1, seen)
            return
        problems.append(_("The message's parts could not be separated; it is shown as one text."))
    yield part


def _filename(part):
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    return decode_words(name)[:200] if name else ""


def _from(message):
    value = decode_words(_header(message, "From"))
    try:
        pairs = getaddresses([value])
    except Exception:  # noqa: BLE001
        pairs = []
    for name, address in pairs:
        address = address.strip().lower()
        if "@" in address and len(address) <= 254 and not CONTROL.search(address) and " " not in address:
            return name.strip()[:100], address
    return "", ""


def _auto_submitted(message):
    auto = _header(message, "Auto-Submitted").strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    return bool((auto and auto != "no") or precedence in ("bulk", "junk", "list", "auto_reply")
                or _header(message, "X-Autoreply") or _header(message, "X-Autorespond"))


def parse(raw, *, max_attachment, max_attachments):
    """Read ``raw`` (the bytes of one message) into a ``ParsedMail``; never raises."""
    problems = []
    try:
        message = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # noqa: BLE001 - the email package is lenient; this is the last resort
        message = email.message_from_string("")
        problems.append(_("The message could not be read; its text is kept as it came."))
        message.set_payload(raw.decode("utf-8", "replace"))
    found = MESSAGE_ID.findall(clean_text(_header(message, "Message-ID")))
    message_id = found[0] if found else f"<{hashlib.sha256(raw).hexdigest()[:40]}@inbound.guanxi>"
    references = MESSAGE_ID.findall(clean_text(_header(message, "In-Reply-To") + " "
                                               + _header(message, "References")))
    name, address = _from(message)
    mail = ParsedMail(message_id=message_id[:300], subject=decode_words(_header(message, "Subject"))[:200],
                      from_address=address, from_name=name, references=list(dict.fromkeys(references))[-50:],
                      problems=problems, auto_submitted=_auto_submitted(message))
    plain, html = [], None
    for index, part in enumerate(_leaves(message, problems), start=1):
        content_type = part.get_content_type() if part.get_content_maintype() != "multipart" else "text/plain"
        disposition = clean_text(_header(part, "Content-Disposition")).split(";")[0].strip().lower()
        name = _filename(part)
        is_body = content_type in ("text/plain", "text/html") and disposition != "attachment" and not name
        if is_body:
            text = _decode(_payload(part), part.get_content_charset())
            if content_type == "text/plain":
                plain.append(text)
            elif content_type == "text/html" and html is None:
                html = text
            continue
        _attachment(mail, part, name or f"part-{index}", content_type, max_attachment, max_attachments)
    unseparated = _("The message's parts could not be separated; it is shown as one text.")
    if unseparated not in problems and any(
            type(d).__name__ in ("NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect")
            for d in (message.defects or [])):
        problems.append(unseparated)
    plain = "\n".join(plain)
    text = plain if plain.strip() or not html else html_to_text(html)
    mail.text = clean_text(text).strip()[:MAX_TEXT]
    return mail


def _attachment(mail, part, name, content_type, max_attachment, max_attachments):
    if content_type == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        data = inner.as_bytes() if inner is not None else _payload(part)
        if not name.lower().endswith(".eml"):
            name = f"{name}.eml"
    else:
        data = _payload(part)
    size = len(data)
    if len(mail.attachments) >= max_attachments:
        mail.refused.append(Refused(name, size, _("more than %(n)d attachments") % {"n": max_attachments}))
        return
    if size > max_attachment:
        mail.refused.append(Refused(name, size, _("larger than %(mb)s MB") % {
            "mb": f"{max_attachment / 1024 / 1024:g}"}))
        return
    if size == 0:
        mail.refused.append(Refused(name, size, _("empty or unreadable")))
        return
    kind = filetypes.sniff(data, name)
    if kind is None:
        mail.refused.append(Refused(name, size, _("not a kind of file we accept (by its content)")))
        return
    mail.attachments.append(Attachment(name=name, size=size, content_type=kind[0], extension=kind[1], data=data))
