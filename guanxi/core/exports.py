"""Export any list to CSV or XLSX exactly as filtered and scoped.

Cells that a spreadsheet would run as a formula (= + - @, tab, CR) are prefixed with a
quote (SECURITY.md: CSV injection). Rows stream from the database in chunks, so memory
stays flat however long the list is.
"""

import csv
import datetime
import decimal
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def neutralize(value):
    """Return a cell value that a spreadsheet shows as text, never runs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, decimal.Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_response(headers, rows, filename):
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # BOM: Excel opens UTF-8 Chinese text correctly
        yield writer.writerow([neutralize(h) for h in headers])
        for row in rows:
            yield writer.writerow([neutralize(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(headers, rows, filename, sheet_title="Sheet1"):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([neutralize(h) for h in headers])
    for row in rows:
        sheet.append([neutralize(v) for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    workbook.save(spool)
    spool.seek(0)
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(fmt, headers, rows, filename, sheet_title="Sheet1"):
    if fmt == "xlsx":
        return xlsx_response(headers, rows, filename, sheet_title)
    return csv_response(headers, rows, filename)
