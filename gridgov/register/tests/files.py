"""Build import files in memory for tests: .xlsx through openpyxl, .csv as UTF-8 or GB18030 bytes."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.core.validators import resident_id_check_char

RESIDENT_HEADER = ["姓名", "身份证号", "手机号", "网格代码", "户编号", "与户主关系", "住址", "标签"]


def valid_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def ids(n: int, start: int = 1) -> list[str]:
    """n different valid resident IDs."""
    return [valid_id(f"370211199001{(i % 28) + 1:02d}{i:03d}"[:17]) for i in range(start, start + n)]


def resident_row(grid_code: str, id_number: str, name: str = "王小明", **extra: str) -> list[str]:
    values = {"姓名": name, "身份证号": id_number, "手机号": "13812345678", "网格代码": grid_code, "户编号": "",
              "与户主关系": "", "住址": "一号", "标签": ""}
    values.update({k: v for k, v in extra.items()})
    return [values[h] for h in RESIDENT_HEADER]


def xlsx(header: list[str], rows: list[list[Any]], name: str = "residents.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/octet-stream")


def csv_file(header: list[str], rows: list[list[Any]], name: str = "residents.csv", encoding: str = "utf-8-sig"
             ) -> SimpleUploadedFile:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return SimpleUploadedFile(name, buf.getvalue().encode(encoding), content_type="text/csv")
