"""The columns of register files: the Chinese headers of import files (with their meaning, whether required,
an example) and the columns of exports. One table per kind (residents, households, enterprises); the import
template, docs/import-export.md and the error report all read from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.errors import ValidationFailed

from .models import Enterprise, Household, Resident, Tag


@dataclass(frozen=True)
class Column:
    key: str  # the key the validator reads (and the error field it reports)
    header: str  # the Chinese header in the file
    required: bool
    help: Any
    example: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str  # URL and CLI word: residents / households / enterprises
    singular: str  # prefix of the page URL names: resident_list, resident_import, …
    label: Any
    model: type[models.Model]
    columns: tuple[Column, ...]
    export_header: tuple[str, ...]
    export_row: Callable[[Any, dict[str, str]], list[Any]]
    duplicate_key: Callable[[Any], tuple[Any, ...]]  # the in-file uniqueness key of a cleaned row
    duplicate_field: str
    error_columns: dict[str, str]  # validator fields that are not a column key → column key

    def header_of(self, field: str) -> str:
        key = self.error_columns.get(field, field)
        for c in self.columns:
            if c.key == key:
                return c.header
        return field

    def map_header(self, header: list[str]) -> tuple[dict[str, int], list[str]]:
        """Column key → position in the file, and the headers that were ignored. Missing required columns,
        or one column given twice, reject the whole file naming the columns."""
        wanted = {normalise(name): c for c in self.columns for name in (c.header, c.key, *c.aliases)}
        found: dict[str, int] = {}
        ignored, twice = [], []
        for i, raw in enumerate(header):
            col = wanted.get(normalise(raw))
            if col is None:
                if raw:
                    ignored.append(raw)
            elif col.key in found:
                twice.append(col.header)
            else:
                found[col.key] = i
        missing = [c.header for c in self.columns if c.required and c.key not in found]
        errors: dict[str, list[str]] = {}
        if missing:
            errors["columns"] = [_("缺少必需的列：%(c)s") % {"c": "、".join(missing)}]
        if twice:
            errors.setdefault("columns", []).append(_("列重复：%(c)s") % {"c": "、".join(twice)})
        if errors:
            raise ValidationFailed(errors, message=errors["columns"][0] + _("（未导入任何记录）"))
        return found, ignored


_HEADER_NOISE = re.compile(r"[\s*＊]|（必填）|\(必填\)|（选填）|\(选填\)")


def normalise(header: str) -> str:
    return _HEADER_NOISE.sub("", str(header or "")).lower()


def _tags_text(r: Resident) -> str:
    labels = dict(Tag.choices)
    return "、".join(str(labels.get(t, t)) for t in r.tags)


def _resident_row(r: Resident, pii: dict[str, str]) -> list[Any]:
    return [r.name, pii["id_number"], r.get_sex_display(), r.birth_date.isoformat() if r.birth_date else "",
            pii["phone"], r.grid.code, r.grid.name, r.household.number if r.household_id else "",
            r.get_relation_display() if r.relation else "", r.address, _tags_text(r)]


def _household_row(h: Household, pii: dict[str, str]) -> list[Any]:
    return [h.number, h.address, h.grid.code, h.grid.name]


def _enterprise_row(e: Enterprise, pii: dict[str, str]) -> list[Any]:
    return [e.name, e.credit_code, e.industry, e.get_scale_display(), e.legal_representative,
            pii["legal_rep_phone"], e.address, e.lat, e.lon, "wgs84",
            e.department.code if e.department_id else "", "是" if e.is_key else "否", e.grid.code, e.grid.name]


_t = gettext_lazy
_TAG_LIST = "、".join(str(label) for _v, label in Tag.choices)

RESIDENTS = Kind(
    name="residents", singular="resident", label=_t("居民"), model=Resident,
    columns=(
        Column("name", "姓名", True, _t("居民姓名"), "王小明"),
        Column("id_number", "身份证号", True, _t("18位居民身份证号（GB 11643，校验位必须正确）；性别和出生日期由此推出"),
               "11010519491231002X", ("身份证号码", "公民身份号码")),
        Column("phone", "手机号", False, _t("11位手机号，以1开头、第二位为3-9"), "13812345678", ("手机号码", "联系电话")),
        Column("grid", "网格代码", True, _t("所属基础网格的统计代码（须是您有权登记的网格）"), "370211107201001001"),
        Column("household", "户编号", False, _t("所属户的户编号（须是本镇街已登记的户）"), "H0001"),
        Column("relation", "与户主关系", False, _t("户主、配偶、子女、父母、其他"), "户主"),
        Column("address", "住址", False, _t("现住址"), "泊里镇董家口村1号"),
        Column("tags", "标签", False, _t("可多个，用顿号分隔：") + _TAG_LIST, "党员、退役军人"),
    ),
    export_header=("姓名", "身份证号", "性别", "出生日期", "手机号", "网格代码", "所属网格", "户编号", "与户主关系",
                   "住址", "标签"),
    export_row=_resident_row,
    duplicate_key=lambda r: (r.town_id, r.id_number), duplicate_field="id_number",
    error_columns={},
)

HOUSEHOLDS = Kind(
    name="households", singular="household", label=_t("户"), model=Household,
    columns=(
        Column("number", "户编号", True, _t("户编号，在本镇街内唯一"), "H0001"),
        Column("address", "住址", True, _t("户的住址"), "泊里镇董家口村1号"),
        Column("grid", "网格代码", True, _t("所属基础网格的统计代码（须是您有权登记的网格）"), "370211107201001001"),
    ),
    export_header=("户编号", "住址", "网格代码", "所属网格"),
    export_row=_household_row,
    duplicate_key=lambda h: (h.town_id, h.number), duplicate_field="number",
    error_columns={},
)

ENTERPRISES = Kind(
    name="enterprises", singular="enterprise", label=_t("企业"), model=Enterprise,
    columns=(
        Column("name", "企业名称", True, _t("企业名称"), "青岛示例制造有限公司"),
        Column("credit_code", "统一社会信用代码", True, _t("18位统一社会信用代码（GB 32100，校验位必须正确）"),
               "91350100M000100Y43", ("信用代码",)),
        Column("industry", "行业", True, _t("所属行业"), "制造业"),
        Column("scale", "规模", True, _t("大型、中型、小型、微型"), "小型"),
        Column("legal_representative", "法定代表人", True, _t("法定代表人姓名"), "李四"),
        Column("legal_rep_phone", "法定代表人手机号", False, _t("11位手机号"), "13912345678"),
        Column("address", "地址", True, _t("经营地址"), "泊里镇工业园1号"),
        Column("lat", "纬度", True, _t("纬度（十进制度）；所属网格由坐标自动确定"), "35.905"),
        Column("lon", "经度", True, _t("经度（十进制度）"), "120.005"),
        Column("crs", "坐标系", False, _t("wgs84（默认，GPS）或 gcj02（高德、腾讯地图）"), "wgs84"),
        Column("department", "主管部门", False, _t("本镇街部门的代码或名称"), ""),
        Column("is_key", "重点企业", False, _t("是 或 否（默认否）"), "否"),
    ),
    export_header=("企业名称", "统一社会信用代码", "行业", "规模", "法定代表人", "法定代表人手机号", "地址", "纬度",
                   "经度", "坐标系", "主管部门", "重点企业", "网格代码", "所属网格"),
    export_row=_enterprise_row,
    duplicate_key=lambda e: (e.town_id, e.credit_code), duplicate_field="credit_code",
    error_columns={"location": "lat", "grid": "lat"},
)

KINDS: dict[str, Kind] = {k.name: k for k in (RESIDENTS, HOUSEHOLDS, ENTERPRISES)}


def kind_of(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValidationFailed({"kind": [_("只能是 residents、households 或 enterprises")]}) from None


def template_rows(kind: Kind) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """(header, one example row, the explanation sheet) of the downloadable import template."""
    header = [c.header for c in kind.columns]
    example = [c.example for c in kind.columns]
    notes = [[str(_("列名")), str(_("是否必填")), str(_("说明")), str(_("示例"))]]
    notes += [[c.header, str(_("必填")) if c.required else str(_("选填")), str(c.help), c.example]
              for c in kind.columns]
    notes += [[], [str(_("第一行为表头，列的顺序不限；每行一条记录。有任何一行出错时默认整份文件不导入，"
                         "可选择“只导入正确的行”。"))]]
    return header, [example], notes


def import_summary(result: Any, *, max_rows: int = 1000) -> dict[str, Any]:
    """What an import did, in words and numbers (for ImportResult and the stored ImportRun alike)."""
    run = getattr(result, "run", result)
    rejected = result.error_count > 0 and not result.partial
    if rejected:
        code = "rejected"
        detail = _("共 %(t)d 行，发现 %(e)d 处错误，未导入任何记录。请按错误报告修改后重新导入，"
                   "或选择“只导入正确的行”。") % {"t": result.total_rows, "e": result.error_count}
    elif result.error_count:
        code = "partial"
        detail = _("共 %(t)d 行，导入 %(n)d 行；%(e)d 处错误所在的行未导入。") % {
            "t": result.total_rows, "n": result.imported, "e": result.error_count}
    else:
        code = "imported"
        detail = _("共 %(t)d 行，全部导入。") % {"t": result.total_rows, "n": result.imported}
    return {"code": code, "detail": detail, "run_id": run.pk, "kind": result.kind,
            "total_rows": result.total_rows, "imported": result.imported, "error_count": result.error_count,
            "partial": result.partial, "ignored_columns": list(getattr(result, "ignored_columns", []) or []),
            "row_errors": [{"row": r, "column": c, "value": v, "reason": why}
                           for r, c, v, why in result.errors[:max_rows]]}
