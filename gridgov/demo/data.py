"""Fixed tables of the demo towns: names, codes, shapes and head counts (DESIGN.md "Demo data").

Names of villages, communities, roads and departments are illustrative, in the style of the real places;
the data built from them is synthetic and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gridgov.accounts.roles import ProCategory
from gridgov.network.models import GridType

DISTRICT_CODE = "370211"
DISTRICT_NAME = "黄岛区"


@dataclass(frozen=True)
class VillageSpec:
    code3: str  # 001–199 居委会 (community), 200–399 村委会 (village), RULES.md §6
    name: str
    regions: tuple[int, ...]  # number of base grids in each region grid
    grid_types: tuple[str, ...]  # grid types drawn for its base grids, in proportion


@dataclass(frozen=True)
class DepartmentSpec:
    slug: str  # English slug used in user names: boli_<slug>01
    name: str
    staff: int = 3
    approves: bool = False  # its head approves one-window applications (后台分类审批)


@dataclass(frozen=True)
class TownSpec:
    key: str  # "boli" / "xinan": prefix of user names and the key in DemoContext.towns
    code: str  # 12-digit statistical code: the idempotence marker of the town
    name: str
    lat: float
    lon: float
    area_km2: float
    aspect: float
    villages: tuple[VillageSpec, ...]
    departments: tuple[DepartmentSpec, ...]
    households: int
    roads: tuple[str, ...]
    leaders: tuple[tuple[str, str], ...]  # (username suffix, title)
    front_desk: int
    pro_workers: dict[str, int] = field(default_factory=dict)  # ProCategory -> head count
    enterprises: int = 0  # key enterprises (重点企业)
    small_enterprises: int = 0  # other registered enterprises
    cooperatives: tuple[str, ...] = ()
    floating_share: float = 0.05  # share of households from elsewhere (流动人口)
    seed_offset: int = 0


R, U, IND, S = GridType.RURAL.value, GridType.URBAN.value, GridType.INDUSTRIAL.value, GridType.SPECIAL.value

_BOLI_DEPARTMENTS = (
    DepartmentSpec("dangzheng", "党政办公室"),
    DepartmentSpec("dangjian", "党建工作办公室"),
    DepartmentSpec("jingji", "经济发展办公室", approves=True),
    DepartmentSpec("caizheng", "财政审计办公室"),
    DepartmentSpec("shehui", "社会事务办公室", staff=4, approves=True),
    DepartmentSpec("nongye", "农业农村办公室", approves=True),
    DepartmentSpec("yingji", "应急管理办公室", staff=4, approves=True),
    DepartmentSpec("shengtai", "生态环境办公室"),
    DepartmentSpec("chengjian", "城乡建设办公室", approves=True),
    DepartmentSpec("zhifa", "综合行政执法中队", staff=4),
    DepartmentSpec("shichang", "市场监督管理所", approves=True),
    DepartmentSpec("ziran", "自然资源所", approves=True),
    DepartmentSpec("sifa", "司法所"),
    DepartmentSpec("zhili", "社会治理服务中心", staff=4),
    DepartmentSpec("bianmin", "为民服务中心", staff=4),
)

_XINAN_DEPARTMENTS = (
    DepartmentSpec("dangzheng", "党政办公室"),
    DepartmentSpec("dangjian", "党建工作办公室"),
    DepartmentSpec("jingji", "经济服务办公室", approves=True),
    DepartmentSpec("caizheng", "财政审计办公室"),
    DepartmentSpec("shehui", "社会事务办公室", approves=True),
    DepartmentSpec("anjian", "安全生产监督管理办公室", staff=5, approves=True),
    DepartmentSpec("shengtai", "生态环境办公室"),
    DepartmentSpec("chengguan", "城市管理办公室", approves=True),
    DepartmentSpec("zhifa", "综合行政执法中队", staff=4),
    DepartmentSpec("shichang", "市场监督管理所", approves=True),
    DepartmentSpec("zhili", "社会治理服务中心", staff=4),
    DepartmentSpec("bianmin", "为民服务中心", staff=4),
)

# 泊里镇: the seat (a 居委会) and nine merged 新村; 20 region grids holding 45 base grids.
_BOLI_VILLAGES = (
    VillageSpec("001", "泊里社区", (3, 3), (U, U, U, S)),
    VillageSpec("201", "董家口新村", (3, 3), (IND, IND, IND, R, S)),
    VillageSpec("202", "东泊里新村", (2, 2), (R, R, U)),
    VillageSpec("203", "西泊里新村", (2, 2), (R, R, R, U)),
    VillageSpec("204", "大下庄新村", (2, 2), (R,)),
    VillageSpec("205", "小场新村", (2, 2), (R, R, IND)),
    VillageSpec("206", "黄家庄新村", (2, 2), (R,)),
    VillageSpec("207", "尚庄新村", (2, 2), (R, R, R, S)),
    VillageSpec("208", "王家台后新村", (2, 2), (R,)),
    VillageSpec("209", "蔡家庄新村", (3, 2), (R, R, IND)),
)

# 辛安街道: twelve urban communities (居委会), two region grids each, industrial parks among them.
_XINAN_VILLAGES = (
    VillageSpec("001", "辛安社区", (3, 3), (U, U, IND)),
    VillageSpec("002", "泊子社区", (3, 3), (U, U, U, S)),
    VillageSpec("003", "小庄社区", (3, 3), (U, IND)),
    VillageSpec("004", "前石沟社区", (3, 3), (IND, IND, U)),
    VillageSpec("005", "后石沟社区", (3, 3), (IND, IND, U)),
    VillageSpec("006", "北屯社区", (3, 3), (U, U, IND)),
    VillageSpec("007", "南屯社区", (3, 3), (U, IND, IND)),
    VillageSpec("008", "杨家山里社区", (3, 3), (U, U, S)),
    VillageSpec("009", "东岳社区", (3, 3), (IND, IND, IND, U)),
    VillageSpec("010", "牛家社区", (3, 3), (U, IND)),
    VillageSpec("011", "周家社区", (3, 3), (U, U, IND)),
    VillageSpec("012", "南辛安社区", (3, 3), (U, U, U, S)),
)

# 147 professional grid workers in 11 categories (泊里镇).
_BOLI_PRO = {
    ProCategory.SAFETY: 18, ProCategory.ENVIRONMENT: 14, ProCategory.MARKET: 14, ProCategory.FIRE: 13,
    ProCategory.ENFORCEMENT: 16, ProCategory.FOOD_DRUG: 12, ProCategory.CONSTRUCTION: 14,
    ProCategory.TRANSPORT: 10, ProCategory.PETITION: 12, ProCategory.CIVIL: 13, ProCategory.HEALTH: 11,
}
_XINAN_PRO = {c: 3 for c in ProCategory.values} | {ProCategory.SAFETY: 8, ProCategory.FIRE: 5}

# 29 股份经济合作社 of the former villages, re-elected in 2020 (the article).
_XINAN_COOPERATIVES = (
    "辛安", "小辛安", "南辛安", "泊子", "小庄", "前石沟", "后石沟", "北屯", "南屯", "杨家山里", "东岳", "西岳",
    "牛家", "周家", "孙家", "王家", "刘家", "姜家", "徐家", "张家", "董家", "宋家", "前河", "后河", "山里",
    "河南", "河北", "东山", "西山",
)

TOWNS = (
    TownSpec(
        key="boli", code=DISTRICT_CODE + "107000", name="泊里镇", lat=35.948, lon=119.952, area_km2=152.0,
        aspect=1.55, villages=_BOLI_VILLAGES, departments=_BOLI_DEPARTMENTS, households=950,
        roads=("泊里大街", "港城大道", "兴泊路", "董家口路", "幸福路", "建设路", "文化路", "滨海大道"),
        leaders=(("leader", "镇党委书记"), ("mayor", "镇长"), ("deputy", "副镇长")), front_desk=4,
        pro_workers=_BOLI_PRO, enterprises=45, small_enterprises=25, floating_share=0.04, seed_offset=107),
    TownSpec(
        key="xinan", code=DISTRICT_CODE + "004000", name="辛安街道", lat=35.9755, lon=120.150, area_km2=49.4,
        aspect=1.62, villages=_XINAN_VILLAGES, departments=_XINAN_DEPARTMENTS, households=750,
        roads=("前湾港路", "江山中路", "两河路", "辛安路", "泊子路", "石沟路", "北屯路", "东岳中路"),
        leaders=(("leader", "街道党工委书记"), ("director", "街道办事处主任")), front_desk=3,
        pro_workers=_XINAN_PRO, enterprises=412, small_enterprises=60, cooperatives=_XINAN_COOPERATIVES,
        floating_share=0.22, seed_offset=4),
)

# Which department a professional grid worker comes from (部门下沉), and where events of the category go.
CATEGORY_DEPARTMENT = {
    "boli": {
        ProCategory.SAFETY: "yingji", ProCategory.ENVIRONMENT: "shengtai", ProCategory.MARKET: "shichang",
        ProCategory.FIRE: "yingji", ProCategory.ENFORCEMENT: "zhifa", ProCategory.FOOD_DRUG: "shichang",
        ProCategory.CONSTRUCTION: "chengjian", ProCategory.TRANSPORT: "chengjian", ProCategory.PETITION: "zhili",
        ProCategory.CIVIL: "shehui", ProCategory.HEALTH: "shehui",
    },
    "xinan": {
        ProCategory.SAFETY: "anjian", ProCategory.ENVIRONMENT: "shengtai", ProCategory.MARKET: "shichang",
        ProCategory.FIRE: "anjian", ProCategory.ENFORCEMENT: "zhifa", ProCategory.FOOD_DRUG: "shichang",
        ProCategory.CONSTRUCTION: "chengguan", ProCategory.TRANSPORT: "chengguan", ProCategory.PETITION: "zhili",
        ProCategory.CIVIL: "shehui", ProCategory.HEALTH: "shehui",
    },
}

# Industries of the key enterprises (辛安's industrial base) with the word used in company names.
INDUSTRIES = (
    ("机械制造", ("机械", "重工", "装备")), ("汽车零部件", ("汽车部件", "汽配")), ("电子信息", ("电子", "智能科技")),
    ("化工", ("化工", "精细化工")), ("橡胶轮胎", ("橡胶", "轮胎")), ("金属制品", ("金属制品", "钢构")),
    ("食品加工", ("食品", "海洋食品")), ("纺织服装", ("服饰", "纺织")), ("建材", ("建材", "新型建材")),
    ("物流仓储", ("物流", "供应链")), ("家用电器", ("电器", "家电")), ("新材料", ("新材料", "复合材料")),
    ("医药", ("医药", "生物科技")), ("港口服务", ("港务", "船舶服务")),
)
SMALL_INDUSTRIES = (
    ("批发零售", ("商贸", "百货")), ("餐饮", ("餐饮管理", "餐饮")), ("住宿", ("酒店管理", "宾馆")),
    ("居民服务", ("家政服务", "物业管理")), ("维修", ("汽车维修", "机电维修")),
)
# Trade names (字号) are two characters drawn from these, in the style of local companies.
TRADE_NAME_FIRST = "华海鑫泰恒瑞宏盛嘉德丰兴利源信诚汇达金润昌隆宇博鼎晟锦正新永安康富联创凯鸿益通元"
TRADE_NAME_SECOND = "泰达丰盛源信诚通利华昌隆宇博鼎晟锦安康富联创凯鸿益元祥瑞和顺合力远航洋港"
COMPANY_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")
COOPERATIVE_INDUSTRY = "股份经济合作社"

# Address codes of people registered elsewhere (流动人口): 陇南 (the article's partner), Shandong inland.
FLOATING_ADDRESS_CODES = ("621202", "621221", "370283", "371321", "371502", "372925", "410323", "341221")

DEMO_SEED = 20201126
DEMO_PASSWORD = "gridgov-demo"
REFERENCE_DATE_ISO = "2026-01-01"  # ages and birth dates are drawn relative to this fixed date
