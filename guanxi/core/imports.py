"""Spreadsheet imports as resumable background jobs (CSV and XLSX, up to a million rows).

An app registers an ``Importer`` (its target fields with Chinese and English header
aliases, and a function that writes one batch). The job runs in Celery: rows stream
from the file, batches of ``BATCH`` rows are validated and written each in one
transaction together with the job's checkpoint, so a crash loses at most the batch in
flight and a retry resumes after the last committed one without writing a row twice.
"""

import codecs
import csv
import datetime
import io
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import ValidationFailed

BATCH = 2000
MAX_COLUMNS = 200
MAX_CELL = 10_000
# A zip bomb disguised as XLSX: refuse before reading. 1 GB uncompressed at most, and no
# member may expand more than 200×.
MAX_UNCOMPRESSED = 1024 * 1024 * 1024
MAX_RATIO = 200
ENCODINGS = ("utf-8-sig", "gb18030")
HEAD = 65536  # bytes read to tell the kind and encoding of a file


@dataclass
class TargetField:
    key: str
    label: str | Promise
    aliases: tuple = ()
    required: bool = False


@dataclass
class ChoiceTarget:
    """A field whose values come from a list (a pick-list, a custom choice field). Values
    of the file not in the list are shown at the mapping step, to map to an item, add to
    the list or leave empty; the run applies the decision instead of rejecting the row."""

    key: str
    label: str
    options: list  # [(code, label)] of the existing items
    match: Callable  # (text) -> the code of the existing item it names, or None
    add: Callable | None = None  # (actor, text) -> code, creating the item unless it exists
    permission: str = "system.configure"  # needed to add items
    multiple: bool = False  # cells hold several values separated by commas

    def values(self, text):
        text = (text or "").strip()
        if not self.multiple:
            return [text] if text else []
        return [v.strip() for v in text.replace("，", ",").split(",") if v.strip()]


@dataclass
class Importer:
    entity: str
    label: str | Promise
    permission: str
    targets: Callable  # () -> [TargetField] (custom fields make it change at run time)
    write_batch: Callable  # (job, [(line, {key: text})], dry_run) -> result with created/duplicates/errors
    # Tables a large import grows: their planner statistics are refreshed as it goes, or the
    # duplicate lookups of later batches are planned for the empty table of the start.
    tables: tuple = ()
    # () -> [ChoiceTarget]: the fields whose unknown values are decided at the mapping step.
    choice_targets: Callable | None = None
    # (actor) -> None, or {"owners": [(pk, label)], "branches": [(pk, label)]} when rows
    # without an owner need one chosen at the mapping step (a first administrator in no
    # branch): a default owner, or the pool of a branch.
    owner_question: Callable | None = None

    @property
    def fields(self):
        return self.targets()

    def guess(self, header):
        """Return the field key a header most likely means ("" when unknown)."""
        text = _clean_header(header)
        for target in self.fields:
            names = {_clean_header(target.key), _clean_header(target.label)} | {_clean_header(a) for a in target.aliases}
            if text in names:
                return target.key
        return ""


def decided(job, key, text):
    """The code the mapping step chose for an unknown ``text`` of list field ``key``, or
    None (left empty, or not decided: an unknown value never rejects a row)."""
    decision = (job.options.get("choices") or {}).get(key, {}).get(text, "")
    return decision[4:] if decision.startswith("map:") else None


_importers: dict[str, Importer] = {}


def register(importer):
    _importers[importer.entity] = importer


def importer_for(entity):
    return _importers.get(entity)


def _clean_header(text):
    return "".join(str(text or "").lower().split()).replace("_", "").replace("*", "").replace("（", "(").replace(
        "）", ")")


# --- reading files -----------------------------------------------------------------
class BadFile(ValidationFailed):
    code = "bad_file"


def sniff(name, head, complete=None):
    """Return "csv" or "xlsx" from the first bytes, or raise BadFile (``complete``: the
    head is the whole file)."""
    if not head:
        raise BadFile(_("The file is empty."), field="file")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith((b"\xd0\xcf\x11\xe0", b"%PDF", b"\x7fELF", b"MZ", b"\x89PNG", b"GIF8", b"\xff\xd8")):
        raise BadFile(_("This is not a spreadsheet: upload a CSV file or an Excel .xlsx workbook."), field="file")
    if b"\x00" in head:
        raise BadFile(_("This is not a spreadsheet: upload a CSV file or an Excel .xlsx workbook."), field="file")
    if detect_encoding(head, complete=len(head) < HEAD if complete is None else complete) is None:
        raise BadFile(_("The text is neither UTF-8 nor GBK; save the file as CSV UTF-8."), field="file")
    return "csv"


def detect_encoding(head, complete=False):
    """The first of ENCODINGS that decodes ``head`` (the first bytes of a file), or None.

    An incremental decoder waits for the rest of a character cut at the end of the head
    instead of failing on it, wherever a BOM put the cut.
    """
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(head, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def check_xlsx(path):
    """Refuse a workbook that is not really one, or would expand into a zip bomb."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
                raise BadFile(_("This zip file is not an Excel workbook."), field="file")
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 ** 6:
                    raise BadFile(_("The workbook expands far beyond its size (a zip bomb?); it was refused."),
                                  field="file")
            if total > MAX_UNCOMPRESSED:
                raise BadFile(_("The workbook is too large once unpacked; split it or save it as CSV."), field="file")
    except zipfile.BadZipFile:
        raise BadFile(_("The Excel file is damaged."), field="file") from None


def _csv_encoding(path):
    with open(path, "rb") as handle:
        head = handle.read(HEAD)
        complete = not handle.read(1)
    return detect_encoding(head, complete=complete) or ENCODINGS[0]


def _csv_lines(handle):
    for number, text in enumerate(handle, start=1):
        if "\x00" in text:
            raise BadFile(_("This is not a spreadsheet: line %(line)d contains binary data (a NUL byte).") % {
                "line": number}, field="file")
        yield text


# What reading a damaged file raises (csv, zip, zlib, XML parser, openpyxl's own checks).
READ_ERRORS = (csv.Error, zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, IndexError, EOFError,
               SyntaxError, UnicodeError)


def _damaged(kind):
    if kind == "xlsx":
        return BadFile(_("The Excel file is damaged."), field="file")
    return BadFile(_("The CSV file could not be read; save it again as CSV UTF-8."), field="file")


def iter_rows(path, kind, skip=0):
    """Yield (line number, [cell text]) from the first sheet, header row first (line 1).

    A file that turns out damaged while it is read raises BadFile.
    """
    try:
        yield from _iter_rows(path, kind, skip)
    except READ_ERRORS:
        raise _damaged(kind) from None


def _iter_rows(path, kind, skip):
    if kind == "csv":
        encoding = _csv_encoding(path)
        csv.field_size_limit(MAX_CELL * 4)
        with open(path, encoding=encoding, newline="", errors="replace") as handle:
            for line, row in enumerate(csv.reader(_csv_lines(handle)), start=1):
                if line > 1 and line - 1 <= skip:
                    continue
                yield line, row
        return
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line > 1 and line - 1 <= skip:
                continue
            yield line, ["" if value is None else _cell_text(value) for value in row]
    finally:
        workbook.close()


def _cell_text(value):
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_header(path, kind):
    for _line, row in iter_rows(path, kind):
        header = [str(cell).strip() for cell in row]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise BadFile(_("The first row should hold the column names, but it is empty."), field="file")
        if len(header) > MAX_COLUMNS:
            raise BadFile(_("The file has %(n)d columns; at most %(max)d are allowed.") % {
                "n": len(header), "max": MAX_COLUMNS}, field="file")
        return header
    raise BadFile(_("The file has no rows."), field="file")


def count_rows(path, kind):
    """The number of data rows. A workbook's <dimension> gives it at once; sheets written
    without one (max_row None or 1 in read-only mode) are counted by reading their rows."""
    if kind == "xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True)
            try:
                max_row = workbook.worksheets[0].max_row
            finally:
                workbook.close()
        except READ_ERRORS:
            raise _damaged(kind) from None
        if max_row and max_row > 1:
            return max_row - 1
    return sum(1 for _row in iter_rows(path, kind)) - 1


def mapped_rows(path, kind, mapping, skip=0):
    """Yield (line, {field: text}) for data rows, using {column index: field key}."""
    rows = iter_rows(path, kind, skip=skip)
    next(rows, None)  # the header
    for line, row in rows:
        if not any(str(cell).strip() for cell in row):
            continue
        record = {}
        for index, key in mapping.items():
            if key and index < len(row):
                record[key] = str(row[index]).strip()[: MAX_CELL + 1]
        yield line, record


def upload_dir():
    path = os.path.join(settings.MEDIA_ROOT, "imports")
    os.makedirs(path, exist_ok=True)
    return path


def rows_to_csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
