"""Demo seed of the one window: 泊里镇's catalogues at the article's counts — 110 approval items delegated by the
city and the district, 135 public-service items, and the grid catalogue of 85 便民服务 and 58 社会管理 items
placed in the base grids — and a smaller catalogue for 辛安街道. A few dozen items carry real names; the rest
are clearly generated ("演示生成"). Then a year of applications in every stage, through the flow engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gridgov.network.models import Division

from .models import Catalogue, Delegated, ItemType, Material, Question, ServiceItem
from .services import initials_of

AFTER = ("cases",)

# (name, type, department slug, statutory, promised, instant, delegated)
APPROVAL = (
    ("个体工商户设立登记", ItemType.LICENCE, "shichang", 15, 3, False, Delegated.DISTRICT),
    ("个体工商户变更登记", ItemType.LICENCE, "shichang", 15, 3, False, Delegated.DISTRICT),
    ("个体工商户注销登记", ItemType.LICENCE, "shichang", 15, 1, True, Delegated.DISTRICT),
    ("食品小作坊登记", ItemType.LICENCE, "shichang", 20, 10, False, Delegated.DISTRICT),
    ("仅销售预包装食品经营备案", ItemType.FILING, "shichang", 5, 1, True, Delegated.DISTRICT),
    ("农村村民宅基地审批", ItemType.LICENCE, "ziran", 20, 15, False, Delegated.DISTRICT),
    ("乡村建设规划许可证核发", ItemType.LICENCE, "chengjian", 20, 10, False, Delegated.CITY),
    ("临时占用道路审批", ItemType.LICENCE, "chengjian", 20, 5, False, Delegated.DISTRICT),
    ("城市建筑垃圾处置核准", ItemType.LICENCE, "chengjian", 20, 5, False, Delegated.CITY),
    ("户外广告设施设置审批", ItemType.LICENCE, "chengjian", 20, 7, False, Delegated.DISTRICT),
    ("公共场所卫生许可", ItemType.LICENCE, "shehui", 20, 10, False, Delegated.DISTRICT),
    ("烟花爆竹经营（零售）许可", ItemType.LICENCE, "yingji", 20, 10, False, Delegated.DISTRICT),
    ("动物防疫条件合格证核发", ItemType.LICENCE, "nongye", 20, 10, False, Delegated.DISTRICT),
    ("农药经营许可", ItemType.LICENCE, "nongye", 20, 15, False, Delegated.CITY),
    ("林木采伐许可证核发", ItemType.LICENCE, "nongye", 20, 5, False, Delegated.DISTRICT),
    ("渔业船舶登记", ItemType.CONFIRMATION, "nongye", 20, 10, False, Delegated.CITY),
    ("再生育审批", ItemType.CONFIRMATION, "shehui", 20, 10, False, Delegated.DISTRICT),
    ("残疾人证核发", ItemType.CONFIRMATION, "shehui", 20, 10, False, Delegated.DISTRICT),
    ("最低生活保障审核确认", ItemType.BENEFIT, "shehui", 30, 20, False, Delegated.DISTRICT),
    ("特困人员救助供养审核确认", ItemType.BENEFIT, "shehui", 30, 20, False, Delegated.DISTRICT),
    ("临时救助审批", ItemType.BENEFIT, "shehui", 20, 5, False, Delegated.DISTRICT),
    ("企业投资项目备案", ItemType.FILING, "jingji", 5, 2, False, Delegated.DISTRICT),
    ("生产经营单位应急预案备案", ItemType.FILING, "yingji", 20, 5, False, Delegated.DISTRICT),
)
PUBLIC = (
    ("城乡居民基本医疗保险参保登记", "shehui", True),
    ("城乡居民基本养老保险参保登记", "shehui", True),
    ("城乡居民基本养老保险待遇申领", "shehui", False),
    ("高龄津贴申领", "shehui", False),
    ("残疾人两项补贴申请", "shehui", False),
    ("计划生育家庭特别扶助金申请", "shehui", False),
    ("生育登记服务", "shehui", True),
    ("独生子女父母光荣证办理", "shehui", True),
    ("老年人优待证办理", "shehui", True),
    ("就业失业登记", "jingji", True),
    ("灵活就业人员社会保险登记", "jingji", True),
    ("医疗救助申请", "shehui", False),
    ("退役军人优待证申领", "shehui", False),
    ("流动人口居住登记", "shehui", True),
    ("农业保险投保登记", "nongye", False),
    ("耕地地力保护补贴申领", "nongye", False),
)
CONVENIENCE = ("代缴水电燃气费", "老年卡代办", "法律咨询预约", "政策咨询", "居住证明开具", "家政服务对接",
               "就业岗位推荐", "养老服务预约", "困难群众上门走访", "代购代买生活用品", "健康体检预约",
               "快递代收代寄")
SOCIAL = ("出租房屋登记", "流动人口信息采集", "矛盾纠纷调解", "安全隐患排查", "重点人员服务管理",
          "社区矫正协助", "防溺水巡查", "燃气安全入户检查", "消防通道巡查", "特殊人群关爱帮扶")

COUNTS = {"boli": {Catalogue.APPROVAL: 110, Catalogue.PUBLIC: 135, Catalogue.CONVENIENCE: 85, Catalogue.SOCIAL: 58},
          "xinan": {Catalogue.APPROVAL: 60, Catalogue.PUBLIC: 80, Catalogue.CONVENIENCE: 40, Catalogue.SOCIAL: 30}}
APPROVING = ("jingji", "shehui", "nongye", "yingji", "chengjian", "shichang", "ziran", "anjian", "chengguan")
PREFIX = {Catalogue.APPROVAL: "SP", Catalogue.PUBLIC: "GG", Catalogue.CONVENIENCE: "BM", Catalogue.SOCIAL: "SH"}


def _spec_rows(key: str) -> list[dict[str, Any]]:
    """Every item of a town as plain data: the real names first, then generated ones up to the counts."""
    rows: list[dict[str, Any]] = []
    counts = COUNTS[key]
    real = {
        Catalogue.APPROVAL: [dict(name=n, item_type=t, dept=d, statutory=s, promised=p, instant=i, delegated=g)
                             for n, t, d, s, p, i, g in APPROVAL],
        Catalogue.PUBLIC: [dict(name=n, item_type=ItemType.PUBLIC_SERVICE, dept=d, statutory=10, promised=5,
                                instant=i, delegated="") for n, d, i in PUBLIC],
        Catalogue.CONVENIENCE: [dict(name=n, item_type=ItemType.PUBLIC_SERVICE, dept="", statutory=5, promised=1,
                                     instant=True, delegated="") for n in CONVENIENCE],
        Catalogue.SOCIAL: [dict(name=n, item_type=ItemType.OTHER_POWER, dept="", statutory=10, promised=5,
                                instant=False, delegated="") for n in SOCIAL],
    }
    for catalogue, total in counts.items():
        label = Catalogue(catalogue).label
        for n in range(1, total + 1):
            base = real[catalogue][n - 1] if n <= len(real[catalogue]) else dict(
                name=f"演示生成{label}{n:03d}", item_type=ItemType.LICENCE if catalogue == Catalogue.APPROVAL
                else ItemType.PUBLIC_SERVICE, dept=APPROVING[n % len(APPROVING)] if catalogue in
                (Catalogue.APPROVAL, Catalogue.PUBLIC) else "", statutory=20, promised=10 - n % 5,
                instant=n % 7 == 0, delegated=(Delegated.CITY if n % 3 == 0 else Delegated.DISTRICT)
                if catalogue == Catalogue.APPROVAL else "")
            rows.append({**base, "catalogue": catalogue, "code": f"{PREFIX[catalogue]}{n:04d}"})
    return rows


def seed(ctx: Any) -> None:
    for key, town in ctx.towns.items():
        if key not in COUNTS or ServiceItem.objects.filter(town=town.division).exists():
            continue
        rng = ctx.rng_for(f"window:{key}")
        depts = town.departments
        fallback = next(iter(depts.values()))
        valid_from = ctx.today - dt.timedelta(days=400)
        items = []
        for r in _spec_rows(key):
            dept = depts.get(r["dept"]) or (fallback if r["catalogue"] in (Catalogue.APPROVAL, Catalogue.PUBLIC)
                                            else depts.get("bianmin"))
            statutory = r["statutory"]
            items.append(ServiceItem(
                town=town.division, catalogue=r["catalogue"], code=r["code"], name=r["name"],
                initials=initials_of(r["name"]), item_type=r["item_type"], department=dept,
                legal_basis="《中华人民共和国行政许可法》" if r["catalogue"] == Catalogue.APPROVAL else "",
                statutory_days=statutory, promised_days=min(r["promised"], statutory), instant=r["instant"],
                fee=0, online=True, at_window=True, at_station=r["catalogue"] != Catalogue.APPROVAL,
                delegated_from=r["delegated"], valid_from=valid_from))
        items = ctx.bulk_create(items)
        questions, materials = [], []
        for item in items:
            if item.catalogue in GRID_LIKE:
                continue
            questions.append(Question(item=item, key="agent", text="是否委托他人代为办理", position=0))
            materials += [
                Material(item=item, name="申请人居民身份证", form=Material.Form.BOTH, position=0),
                Material(item=item, name=f"{item.name}申请表", form=Material.Form.ORIGINAL, position=1),
                Material(item=item, name="授权委托书及受托人身份证", form=Material.Form.BOTH, when_question="agent",
                         when_answer=True, position=2),
            ]
            if item.catalogue == Catalogue.APPROVAL:
                materials.append(Material(item=item, name="相关证明材料", form=Material.Form.COPY,
                                          required=False, position=3))
        ctx.bulk_create(questions)
        ctx.bulk_create(materials)
        through = ServiceItem.grids.through
        links = []
        grids: list[Division] = town.grids
        for item in items:
            if item.catalogue in GRID_LIKE:
                for grid in rng.sample(grids, k=min(len(grids), rng.randint(3, 12))):
                    links.append(through(serviceitem_id=item.pk, division_id=grid.pk))
        through.objects.bulk_create(links)
        ctx.out(f"  window {town.name}: {len(items)} service items, {len(materials)} materials, "
                f"{len(links)} grid placements")


GRID_LIKE = (Catalogue.CONVENIENCE, Catalogue.SOCIAL)
