"""The event and component category trees (GB/T 30428-style 大类/小类) with a handling limit each, and the
professional category whose department handles them by default. Local practice [local]: a town's administrator
sets the town's own limit of a category on the settings page (`CategoryLimit`, read through `category_limit`);
`ensure_categories()` loads this default set once (demo, fresh installations)."""

from __future__ import annotations

from typing import Any

from gridgov.accounts.roles import ProCategory as P
from gridgov.core.tables import ProcessTable

# (大类 code, 大类 name, pro category, [(小类 code, name, amount, unit), ...])
EVENTS = [
    ("01", "市容环境", P.ENFORCEMENT, [
        ("0101", "私搭乱建", 15, "days"), ("0102", "暴露垃圾", 4, "hours"), ("0103", "积存垃圾渣土", 1, "days"),
        ("0104", "道路不洁", 4, "hours"), ("0105", "水域不洁", 2, "days"), ("0106", "绿地脏乱", 1, "days"),
        ("0107", "焚烧垃圾树叶", 2, "hours"), ("0108", "油烟污染", 5, "days"), ("0109", "违规饲养家禽家畜", 3, "days"),
    ]),
    ("02", "宣传广告", P.ENFORCEMENT, [
        ("0201", "违章张贴小广告", 1, "days"), ("0202", "非法散发小广告", 4, "hours"), ("0203", "违规户外广告", 5, "days"),
        ("0204", "占道广告牌", 3, "days"),
    ]),
    ("03", "施工管理", P.CONSTRUCTION, [
        ("0301", "施工扰民", 1, "days"), ("0302", "工地扬尘", 1, "days"), ("0303", "道路破损开挖", 5, "days"),
        ("0304", "施工占道", 2, "days"), ("0305", "渣土车遗撒", 4, "hours"),
    ]),
    ("04", "突发事件", P.SAFETY, [
        ("0401", "路面塌陷", 2, "hours"), ("0402", "自来水管破裂", 2, "hours"), ("0403", "燃气管道破裂", 1, "hours"),
        ("0404", "下水道堵塞或破损", 4, "hours"), ("0405", "道路积水", 4, "hours"), ("0406", "火灾隐患", 2, "hours"),
    ]),
    ("05", "街面秩序", P.ENFORCEMENT, [
        ("0501", "无照经营游商", 4, "hours"), ("0502", "店外经营", 4, "hours"), ("0503", "占道废品收购", 1, "days"),
        ("0504", "机动车乱停放", 4, "hours"), ("0505", "非机动车乱停放", 1, "days"), ("0506", "露天烧烤", 2, "hours"),
    ]),
    ("06", "安全生产", P.SAFETY, [
        ("0601", "企业安全隐患", 3, "days"), ("0602", "消防通道堵塞", 1, "days"), ("0603", "电动车违规充电", 1, "days"),
        ("0604", "危化品违规存放", 1, "days"),
    ]),
    ("07", "市场监管", P.MARKET, [
        ("0701", "食品安全问题", 3, "days"), ("0702", "价格欺诈", 5, "days"), ("0703", "无证经营", 5, "days"),
    ]),
    ("08", "生态环境", P.ENVIRONMENT, [
        ("0801", "污水直排", 3, "days"), ("0802", "噪声扰民", 2, "days"), ("0803", "秸秆焚烧", 2, "hours"),
        ("0804", "河道污染", 5, "days"),
    ]),
    ("09", "民生诉求", P.CIVIL, [
        ("0901", "供暖问题", 3, "days"), ("0902", "物业纠纷", 7, "days"), ("0903", "邻里纠纷", 5, "days"),
        ("0904", "社会救助", 10, "days"), ("0905", "劳资纠纷", 10, "days"),
    ]),
]

COMPONENTS = [
    ("01", "公用设施", P.CONSTRUCTION, [
        ("0101", "上水井盖", 2, "days"), ("0102", "污水井盖", 2, "days"), ("0103", "雨水箅子", 2, "days"),
        ("0104", "电力井盖", 2, "days"), ("0105", "路灯", 3, "days"), ("0106", "消防栓", 1, "days"),
    ]),
    ("02", "道路交通", P.TRANSPORT, [
        ("0201", "交通标志牌", 5, "days"), ("0202", "交通信号灯", 1, "days"), ("0203", "护栏", 5, "days"),
        ("0204", "公交站亭", 5, "days"), ("0205", "停车泊位", 10, "days"),
    ]),
    ("03", "市容环境设施", P.ENFORCEMENT, [
        ("0301", "公共厕所", 2, "days"), ("0302", "垃圾箱", 2, "days"), ("0303", "垃圾收集点", 3, "days"),
    ]),
    ("04", "园林绿化", P.ENVIRONMENT, [
        ("0401", "行道树", 5, "days"), ("0402", "绿地", 10, "days"), ("0403", "护树设施", 5, "days"),
    ]),
]


def ensure_categories() -> int:
    """Load the default trees where missing; returns how many categories were added."""
    from .models import Category

    added = 0
    for tree, groups in (("event", EVENTS), ("component", COMPONENTS)):
        have = {c.code: c for c in Category.objects.filter(tree=tree)}
        for code, name, pro, leaves in groups:
            parent = have.get(code)
            if parent is None:
                parent = Category.objects.create(tree=tree, code=code, name=name, pro_category=pro,
                                                 deadline_amount=5, deadline_unit="days")
                added += 1
            rows = [Category(tree=tree, code=c, name=n, parent=parent, deadline_amount=a, deadline_unit=u,
                             pro_category=pro) for c, n, a, u in leaves if c not in have]
            Category.objects.bulk_create(rows)
            added += len(rows)
    return added


class _TownLimits(ProcessTable):
    """The towns' own handling limits (`CategoryLimit`), per process: every deadline of a case asks."""

    def load(self) -> dict[tuple[int, int], tuple[int, str]]:
        from .models import CategoryLimit

        return {(town, cat): (amount, unit) for town, cat, amount, unit in CategoryLimit.objects.values_list(
            "town_id", "category_id", "deadline_amount", "deadline_unit")}


town_limits = _TownLimits()


def category_limit(category: Any, town_id: int | None) -> tuple[int, str]:
    """The handling limit (amount, unit) of `category` in a town: the town's own, else the category's."""
    own = town_limits.data().get((town_id, category.pk)) if town_id else None
    return own or (category.deadline_amount, category.deadline_unit)
