"""Spreadsheet files in and out: read an uploaded .xlsx or .csv as a header plus numbered rows, and write rows
to .xlsx or .csv in bounded memory. No domain words: apps describe their columns themselves.

Reading checks the size and the type first, so a wrong or oversized file fails with one clear message before
any row is looked at. Rows come out as they are read (calamine for .xlsx, the csv module for .csv).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import GridgovError, ValidationFailed

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
CONTENT_TYPES = {"xlsx": XLSX_TYPE, "csv": CSV_TYPE}


@dataclass
class Export:
    """A file being exported: its name and type, the row count, and its bytes as an iterator of chunks
    (rows are read from the database in chunks and written as they come: memory stays bounded)."""

    filename: str
    content_type: str
    count: int
    unmasked: bool
    chunks: Iterator[bytes]


def file_openapi(description: str, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """`openapi_extra` of an API route that answers a download in `format` xlsx (default) or csv."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    fmt = {"name": "format", "in": "query", "required": False, "description": "xlsx（默认）或 csv",
           "schema": {"type": "string", "enum": ["xlsx", "csv"], "default": "xlsx"}}
    return {"parameters": [fmt, *(params or [])],
            "responses": {200: {"description": description, "content": {XLSX_TYPE: binary, "text/csv": binary}}}}


class FileTooLarge(GridgovError):
    status = 413
    code = "too_large"

    def __init__(self, size: int, limit: int):
        mb = limit / 1024 / 1024
        super().__init__(_("文件过大（%(size).1f MB），上限为 %(limit).1f MB") % {"size": size / 1024 / 1024,
                                                                           "limit": mb},
                         errors={"file": [_("文件过大，上限为 %(limit).1f MB") % {"limit": mb}]})


def bad_file(reason: str) -> ValidationFailed:
    return ValidationFailed({"file": [reason]}, message=_("文件：%(r)s") % {"r": reason})


@dataclass
class Table:
    """A header (the first non-blank row) and an iterator of (row number as the user sees it, cells)."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    file_type: str


def _size_of(file: Any) -> int:
    if isinstance(file, str | Path):
        return os.path.getsize(file)
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    pos = file.tell()
    file.seek(0, os.SEEK_END)
    end = file.tell()
    file.seek(pos)
    return end - pos


def _name_of(file: Any) -> str:
    return str(file) if isinstance(file, str | Path) else str(getattr(file, "name", "") or "")


def _read_bytes(file: Any) -> bytes:
    if isinstance(file, str | Path):
        return Path(file).read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()


def cell_text(value: Any) -> str:
    """A cell as text: numbers typed into Excel without decimals lose the '.0', dates become ISO."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value).strip()


def _numbered(rows: Iterable[list[Any]], start: int = 1) -> Iterator[tuple[int, list[str]]]:
    for n, row in enumerate(rows, start=start):
        cells = [cell_text(v) for v in row]
        if any(cells):
            yield n, cells


def _split_header(numbered: Iterator[tuple[int, list[str]]], file_type: str) -> Table:
    first = next(numbered, None)
    if first is None:
        raise bad_file(_("文件是空的：没有表头行"))
    return Table(header=[h.strip() for h in first[1]], rows=numbered, file_type=file_type)


def _open_xlsx(file: Any) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        if isinstance(file, str | Path):
            wb = CalamineWorkbook.from_path(str(file))
        elif hasattr(file, "temporary_file_path"):
            wb = CalamineWorkbook.from_path(file.temporary_file_path())
        else:
            file.seek(0)
            wb = CalamineWorkbook.from_filelike(file)
        sheet = wb.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except Exception:  # calamine raises its own error types for every kind of damage
        raise bad_file(_("文件已损坏或不是有效的 .xlsx 文件")) from None
    return _split_header(_numbered(rows), "xlsx")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; files saved by Chinese Excel are often GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise bad_file(_("无法识别文件编码，请另存为 UTF-8 编码的 CSV")) from None


def _open_csv(file: Any) -> Table:
    data = _read_bytes(file)
    if b"\x00" in data[:4096] or data[:4] == b"PK\x03\x04":
        raise bad_file(_("文件已损坏或不是有效的 CSV 文本文件"))
    text = decode_text(data)
    del data
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)

    def rows() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as exc:
            raise bad_file(_("CSV 格式错误：%(e)s") % {"e": exc}) from None

    return _split_header(_numbered(rows()), "csv")


def open_table(file: Any, *, max_bytes: int | None = None) -> Table:
    """Open an uploaded file (Django UploadedFile, binary file object or path) as a Table.

    Raises FileTooLarge or ValidationFailed({"file": [...]}) with the reason in the user's language."""
    limit = max_bytes if max_bytes is not None else settings.GRIDGOV_IMPORT_MAX_BYTES
    size = _size_of(file)
    if size > limit:
        raise FileTooLarge(size, limit)
    if size == 0:
        raise bad_file(_("文件是空的"))
    name = _name_of(file).lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext == "xls":
        raise bad_file(_("不支持旧版 .xls 文件，请另存为 .xlsx 或 .csv"))
    if ext == "xlsx":
        head = _head(file)
        if head[:4] != b"PK\x03\x04":
            raise bad_file(_("文件已损坏或不是有效的 .xlsx 文件"))
        return _open_xlsx(file)
    if ext in ("csv", "txt"):
        return _open_csv(file)
    raise bad_file(_("不支持的文件类型“%(ext)s”，只接受 .xlsx 或 .csv") % {"ext": ext or name})


def _head(file: Any) -> bytes:
    if isinstance(file, str | Path):
        with open(file, "rb") as fh:
            return fh.read(8)
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    return head


# ---------------------------------------------------------------------------------------------- writing

class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(header: list[str], rows: Iterable[list[Any]], *, chunk_rows: int = 500) -> Iterator[bytes]:
    """UTF-8 with BOM (so Excel shows the Chinese correctly), yielded in chunks for a streaming response."""
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8 + writer.writerow(header).encode()
    buf: list[str] = []
    for row in rows:
        buf.append(writer.writerow([_csv_safe(v) for v in row]))
        if len(buf) >= chunk_rows:
            yield "".join(buf).encode()
            buf = []
    if buf:
        yield "".join(buf).encode()


def _csv_safe(value: Any) -> Any:
    """Cells starting with = + - @ are formulas to a spreadsheet: prefix them (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _looks_numeric(value):
        return "'" + value
    return "" if value is None else value


def _looks_numeric(value: str) -> bool:
    try:
        float(value)
        return True
    except ValueError:
        return False


def write_xlsx(header: list[str], rows: Iterable[list[Any]], *, sheet_title: str = "Sheet1",
               extra_sheets: dict[str, list[list[Any]]] | None = None) -> IO[bytes]:
    """Write rows with openpyxl's write-only mode (rows go to disk as they come) into a temporary file and
    return it opened for reading; the file disappears when closed."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    ws.append(header)
    for row in rows:
        ws.append([_csv_safe(v) if isinstance(v, str) else v for v in row])
    for title, sheet_rows in (extra_sheets or {}).items():
        extra = wb.create_sheet(title=title[:31])
        for r in sheet_rows:
            extra.append(r)
    out = tempfile.TemporaryFile(suffix=".xlsx")
    wb.save(out)
    out.seek(0)
    return out


def write_rows(fmt: str, header: list[str], rows: Iterable[list[Any]], **kwargs: Any) -> Iterator[bytes]:
    """Bytes of the file in `fmt` ("xlsx" or "csv"), as an iterator of chunks."""
    if fmt == "csv":
        yield from csv_chunks(header, rows)
        return
    if fmt != "xlsx":
        raise ValidationFailed({"format": [_("格式只能是 xlsx 或 csv")]})
    with write_xlsx(header, rows, **kwargs) as fh:
        while chunk := fh.read(256 * 1024):
            yield chunk


def check_format(fmt: str) -> str:
    fmt = (fmt or "xlsx").lower().lstrip(".")
    if fmt not in CONTENT_TYPES:
        raise ValidationFailed({"format": [_("格式只能是 xlsx 或 csv")]})
    return fmt


def file_response(filename: str, content_type: str, chunks: Iterable[bytes]) -> Any:
    """A streaming download (rows are produced while the client reads)."""
    from django.http import StreamingHttpResponse

    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # exports hold personal data
    return response
