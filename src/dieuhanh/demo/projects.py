"""The demo's public-investment projects: about two hundred of Bình Dương (2023 – June 2025) and of the
new Hồ Chí Minh City (from July 2025), with their capital plans, monthly disbursement, site clearance
and obstacles. **Synthetic sample data, not official records**: every project is marked ``sample``.

Among them are the seed article's 1,500-bed hospital, the regional and ring roads (Vành đai 3,
Vành đai 4, Tân Vạn – Bình Chuẩn, ĐT741, ĐT746 …), reservoirs and drainage, and the site clearance
the article calls "điểm nghẽn đền bù giải tỏa". The others are made from templates on the communes
of their time (schools, health stations, roads, drainage …).

**Consistent with the demo's figures.** The demo's synthetic PI_PLAN (a stock) and PI_DISB (flows)
are collected at district level on the old map and by the city itself from 1/7/2025
(``present.py``). For every province and month the projects cover, their plan as at the month's end
and their disbursement of the year's plan in the month add up, to the million đồng, to the
province's synthetic figures (in tỷ đồng, one decimal: a whole number of 100 million), so that
``projects_figures_refresh`` writes the province's own PI_PLAN and PI_DISB equal to what the
demo shows, and PI_DISB_RATE is unchanged by loading them.

**Deterministic.** Every choice is a hash of the seed and a name (as ``present.py``), never a draw
from a random stream: the same seed and cut-off give the same projects, amounts and dates.

**The story a leader walks** (the acceptance's three clicks): in the last year, the slowest investor
is the city's agriculture works board (``STORY_INVESTOR``); its slowest project is the Sài Gòn
river embankment (``STORY_PROJECT``), blocked by site clearance, with an open obstacle past its
deadline that the Department of Agriculture and Environment must resolve.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import struct
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Sum

from dieuhanh.demo.present import HORIZON
from dieuhanh.demo.reform import CITY_CODE, REFORM_DATE
from dieuhanh.demo.units import PROVINCE_CODE
from dieuhanh.directives.models import Directive, SourceDocument
from dieuhanh.directives.scorecards import scorecards_deferred, scorecards_refresh
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.orgunits.selectors import today as orgunits_today
from dieuhanh.orgunits.selectors import unit_at
from dieuhanh.projects import services
from dieuhanh.projects.choices import (
    AllocationKind,
    CapitalSource,
    DecisionKind,
    ObstacleCategory,
    ProjectGroup,
    ProjectSector,
    ProjectStage,
)
from dieuhanh.projects.figures import figures_refresh
from dieuhanh.projects.models import CapitalTransfer, Disbursement, Obstacle, Project

# Bump when the scenario changes: a load then replaces the sample projects.
SCENARIO_VERSION = "1"
BD_YEARS = (2023, 2024, 2025)
# The last year of the demo's figures (``present.HORIZON``).
LAST_YEAR = HORIZON[0]
FIRST_YEAR = BD_YEARS[0]
CITY_FIRST_MONTH = (REFORM_DATE.year, REFORM_DATE.month)
PLAN, DISB = "PI_PLAN", "PI_DISB"
MILLION_PER_TY = 1000
# Disbursement stops short of the whole plan: a project's flow is capped at this share of it.
CAP = Decimal("0.98")

STORY_INVESTOR = "HCM_BQLNN"
STORY_PROJECT = "DA-HCM-S01"

BD_ISSUER = "UBND tỉnh Bình Dương"
CITY_ISSUER = "UBND Thành phố Hồ Chí Minh"


def _uniform(*key: object) -> float:
    """A number in [0, 1) that depends only on ``key``."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2**64


def _gauss(*key: object) -> float:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).digest()
    first, second = struct.unpack("<QQ", digest)
    return math.sqrt(-2 * math.log((first + 1) / 2**64)) * math.cos(2 * math.pi * second / 2**64)


def _pick(seq: Sequence[str], *key: object) -> str:
    return seq[int(_uniform(*key) * len(seq))]


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _period(year: int, month: int) -> str:
    return f"{year}{month:02d}"


def _split(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """``total`` (whole millions) split by ``weights``, largest remainder: the parts add up exactly."""
    positive = {k: w for k, w in weights.items() if w > 0}
    if not positive or total == 0:
        return dict.fromkeys(weights, 0)
    whole = sum(positive.values())
    raw = {k: total * w / whole for k, w in positive.items()}
    parts = {k: math.floor(v) for k, v in raw.items()}
    rest = total - sum(parts.values())
    for k in sorted(raw, key=lambda k: (parts[k] - raw[k], k))[:rest]:
        parts[k] += 1
    return {k: parts.get(k, 0) for k in weights}


def _capped(total: int, weights: Mapping[str, float], room: Mapping[str, int]) -> dict[str, int]:
    """``total`` split by ``weights`` without any part above its ``room``; what a full part cannot take
    goes to the others (the demo's totals never exceed the room of all)."""
    out = dict.fromkeys(weights, 0)
    left = total
    for _round in range(50):
        open_ = {k: w for k, w in weights.items() if room[k] - out[k] > 0 and w > 0}
        if left <= 0 or not open_:
            break
        share = _split(left, open_)
        for k, v in share.items():
            take = min(v, room[k] - out[k])
            out[k] += take
            left -= take
    if left > 0:  # weights of nothing left: fill by room
        for k in sorted(room, key=lambda k: room[k] - out[k], reverse=True):
            take = min(left, room[k] - out[k])
            out[k] += take
            left -= take
    if left != 0:
        raise ValueError("the demo's disbursement exceeds its projects' plans")
    return out


# ---- the projects ---------------------------------------------------------------------------


@dataclass
class Spec:
    """One sample project before it is written."""

    code: str
    name: str
    era: str  # "bd" (Bình Dương, old map) or "city" (the new city)
    investor: str
    group: str
    sector: str
    sources: tuple[str, ...]
    communes: tuple[str, ...]  # names of communes of the era
    years: tuple[int, ...]  # plan years
    weight: float
    speed: float
    start_on: dt.date
    planned_completion_on: dt.date
    line: bool = False
    clearance: bool = False
    completed_on: dt.date | None = None
    units: tuple[OrgUnit, ...] = ()  # the communes, once resolved


C = ProjectSector
S = CapitalSource
G = ProjectGroup
D = dt.date


class Named(NamedTuple):
    """A named project: its public name, investor (a catalogue code, or a commune's name), group,
    sector, capital sources, communes (names of the era's units), plan years, relative size, speed of
    disbursement against the province's (1: as fast), and whether it is drawn as a line."""

    name: str
    investor: str
    group: str
    sector: str
    sources: tuple[str, ...]
    communes: tuple[str, ...]
    years: tuple[int, ...]
    weight: float
    speed: float
    line: bool


# The seed's projects and the region's roads (Bình Dương, 2023 – 6/2025). Names are the public ones;
# every figure about them is synthetic.
# fmt: off
BD_NAMED: tuple[Named, ...] = (
    Named("Bệnh viện Đa khoa 1.500 giường tỉnh Bình Dương",
          "BD_BQLDA", G.A, C.HEALTH, (S.PROVINCIAL,),
          ("Phường Hòa Phú",),
          (2023, 2024), weight=9.0, speed=1.45, line=False),
    Named("Đường Vành đai 3 Thành phố Hồ Chí Minh, đoạn qua tỉnh Bình Dương (xây dựng và bồi thường, hỗ trợ, "
          "tái định cư)",
          "BD_BQLGT", G.NATIONAL, C.TRANSPORT, (S.CENTRAL, S.PROVINCIAL),
          ("Phường Bình Chuẩn", "Phường Tân Phước Khánh", "Phường Bình Thắng", "Phường Bình An"),
          BD_YEARS, weight=24.0, speed=1.05, line=True),
    Named("Đường Vành đai 4 Thành phố Hồ Chí Minh, đoạn qua tỉnh Bình Dương",
          "BD_BQLGT", G.NATIONAL, C.TRANSPORT, (S.CENTRAL, S.PROVINCIAL),
          ("Phường Mỹ Phước", "Phường Thới Hòa", "Phường Vĩnh Tân", "Xã Bạch Đằng"),
          (2024, 2025), weight=16.0, speed=0.7, line=True),
    Named("Nâng cấp, mở rộng đường Tân Vạn – Bình Chuẩn",
          "BD_BQLGT", G.B, C.TRANSPORT, (S.PROVINCIAL,),
          ("Phường Tân Đông Hiệp", "Phường Bình Chuẩn"),
          BD_YEARS, weight=4.0, speed=0.85, line=True),
    Named("Nâng cấp, mở rộng đường ĐT741 (đoạn từ ngã tư Sở Sao đến ranh tỉnh Bình Phước)",
          "BD_BQLGT", G.A, C.TRANSPORT, (S.PROVINCIAL, S.LAND_USE),
          ("Phường Tân Hiệp", "Phường Khánh Bình", "Thị trấn Phước Vĩnh"),
          BD_YEARS, weight=10.0, speed=0.95, line=True),
    Named("Nâng cấp, mở rộng đường ĐT746 (đoạn từ Tân Thành đến Hiếu Liêm)",
          "BD_BQLGT", G.B, C.TRANSPORT, (S.PROVINCIAL,),
          ("Thị trấn Tân Thành", "Xã Tân Mỹ", "Xã Hiếu Liêm"),
          BD_YEARS, weight=4.5, speed=0.75, line=True),
    Named("Đường cao tốc Thành phố Hồ Chí Minh – Thủ Dầu Một – Chơn Thành, đoạn qua tỉnh Bình Dương",
          "BD_BQLGT", G.NATIONAL, C.TRANSPORT, (S.CENTRAL, S.PROVINCIAL),
          ("Phường An Phú", "Phường Chánh Mỹ", "Phường Mỹ Phước", "Thị trấn Lai Uyên"),
          (2024, 2025), weight=14.0, speed=0.6, line=True),
    Named("Nâng cấp, mở rộng đường ĐT743 (đoạn từ Miếu Ông Cù đến nút giao Sóng Thần)",
          "BD_BQLGT", G.B, C.TRANSPORT, (S.PROVINCIAL,),
          ("Phường Bình Hòa", "Phường Bình An"),
          (2023, 2024), weight=3.0, speed=1.1, line=True),
    Named("Đường Thủ Biên – Đất Cuốc",
          "BD_BQLGT", G.B, C.TRANSPORT, (S.PROVINCIAL,),
          ("Xã Đất Cuốc", "Xã Lạc An"),
          (2023, 2024), weight=2.5, speed=1.0, line=True),
    Named("Hệ thống thoát nước và xử lý nước thải khu vực Dĩ An (giai đoạn 2)",
          "BD_BQLDA", G.A, C.ENVIRONMENT, (S.ODA, S.PROVINCIAL),
          ("Phường Dĩ An", "Phường Đông Hòa"),
          BD_YEARS, weight=7.0, speed=0.55, line=False),
    Named("Hệ thống thoát nước suối Cát – rạch Bình Nhâm",
          "BD_BQLDA", G.B, C.ENVIRONMENT, (S.PROVINCIAL,),
          ("Phường Bình Nhâm", "Phường Hưng Định"),
          BD_YEARS, weight=3.0, speed=0.8, line=True),
    Named("Nạo vét, gia cố suối Siệp (đoạn qua Thuận An và Dĩ An)",
          "BD_BQLNN", G.B, C.IRRIGATION, (S.PROVINCIAL,),
          ("Phường Thuận Giao", "Phường Tân Bình"),
          (2023, 2024), weight=2.0, speed=0.9, line=True),
    Named("Hồ chứa nước Phước Hòa – kênh dẫn và hệ thống tưới khu vực Phú Giáo",
          "BD_BQLNN", G.B, C.IRRIGATION, (S.CENTRAL, S.PROVINCIAL),
          ("Xã Phước Hòa", "Xã An Linh"),
          BD_YEARS, weight=3.0, speed=0.7, line=False),
    Named("Bồi thường, giải phóng mặt bằng và tái định cư dự án đường Vành đai 3 (khu tái định cư Bình Chuẩn)",
          "725", G.B, C.URBAN, (S.LAND_USE,),
          ("Phường Bình Chuẩn",),
          BD_YEARS, weight=2.5, speed=0.5, line=False),
)
# fmt: on

# The new city's named projects (from 1/7/2025).
# fmt: off
CITY_NAMED: tuple[Named, ...] = (
    Named("Đường Vành đai 3 Thành phố Hồ Chí Minh, dự án thành phần đoạn qua Thành phố (giai đoạn 1)",
          "HCM_BQLGT", G.NATIONAL, C.TRANSPORT, (S.CENTRAL, S.PROVINCIAL),
          ("Phường Long Trường", "Phường Long Phước", "Xã Bà Điểm", "Xã Tân Nhựt"),
          (2025, 2026), weight=30.0, speed=1.0, line=True),
    Named("Đường Vành đai 4 Thành phố Hồ Chí Minh, đoạn qua Thành phố (chuẩn bị đầu tư và bồi thường)",
          "HCM_BQLGT", G.NATIONAL, C.TRANSPORT, (S.CENTRAL, S.PROVINCIAL),
          ("Phường Bến Cát", "Phường Tân Uyên", "Phường Vĩnh Tân", "Xã Bắc Tân Uyên"),
          (2025, 2026), weight=18.0, speed=0.55, line=True),
    Named("Nâng cấp, mở rộng đường Tân Vạn – Bình Chuẩn (giai đoạn 2)",
          "HCM_BQLGT", G.B, C.TRANSPORT, (S.PROVINCIAL,),
          ("Phường Tân Đông Hiệp", "Phường Thuận An"),
          (2025, 2026), weight=4.0, speed=0.9, line=True),
    Named("Nâng cấp, mở rộng đường ĐT741 (đoạn qua phường Tân Uyên và xã Phú Giáo)",
          "HCM_BQLGT", G.A, C.TRANSPORT, (S.PROVINCIAL,),
          ("Phường Tân Uyên", "Xã Phú Giáo"),
          (2025, 2026), weight=8.0, speed=0.85, line=True),
    Named("Nâng cấp, mở rộng đường ĐT746 (đoạn qua xã Bắc Tân Uyên và xã Thường Tân)",
          "HCM_BQLGT", G.B, C.TRANSPORT, (S.PROVINCIAL,),
          ("Xã Bắc Tân Uyên", "Xã Thường Tân"),
          (2025, 2026), weight=3.5, speed=0.8, line=True),
    Named("Mở rộng Quốc lộ 13 (đoạn từ cầu Bình Triệu đến ranh phường Lái Thiêu)",
          "HCM_BQLGT", G.A, C.TRANSPORT, (S.PROVINCIAL, S.LAND_USE),
          ("Phường Hiệp Bình", "Phường Lái Thiêu"),
          (2025, 2026), weight=9.0, speed=0.75, line=True),
    Named("Tuyến đường sắt đô thị số 2 (Bến Thành – Tham Lương)",
          "HCM_MAUR", G.NATIONAL, C.TRANSPORT, (S.ODA, S.PROVINCIAL),
          ("Phường Bến Thành", "Phường Bàn Cờ", "Phường Tân Sơn Nhất", "Phường Bảy Hiền"),
          (2025, 2026), weight=22.0, speed=0.65, line=True),
    Named("Cải tạo kênh Tham Lương – Bến Cát – rạch Nước Lên",
          "HCM_BQLHT", G.A, C.ENVIRONMENT, (S.PROVINCIAL,),
          ("Phường Tây Thạnh", "Phường Bình Hưng Hòa", "Phường An Lạc"),
          (2025, 2026), weight=10.0, speed=0.7, line=True),
    Named("Bệnh viện Đa khoa 1.500 giường – khối kỹ thuật cao và trung tâm ung bướu (giai đoạn 2)",
          "HCM_BQLDD", G.A, C.HEALTH, (S.PROVINCIAL,),
          ("Phường Bình Dương",),
          (2025, 2026), weight=6.0, speed=1.2, line=False),
    Named("Hồ chứa nước Sông Ray – hệ thống kênh tưới khu vực Châu Đức",
          "HCM_BQLNN", G.B, C.IRRIGATION, (S.CENTRAL, S.PROVINCIAL),
          ("Xã Châu Đức", "Xã Nghĩa Thành"),
          (2025, 2026), weight=3.0, speed=0.3, line=False),
    Named("Đường ven biển Vũng Tàu – Bình Châu (đoạn qua xã Hồ Tràm và xã Bình Châu)",
          "HCM_BQLGT", G.A, C.TRANSPORT, (S.PROVINCIAL,),
          ("Xã Hồ Tràm", "Xã Bình Châu"),
          (2025, 2026), weight=7.0, speed=0.9, line=True),
)
# fmt: on

# The story: the agriculture works board's three projects, the embankment the slowest of all.
STORY = (
    (
        STORY_PROJECT,
        "Kè chống sạt lở và đê bao bờ hữu sông Sài Gòn (đoạn qua phường Lái Thiêu và phường An Phú Đông)",
        ("Phường Lái Thiêu", "Phường An Phú Đông"),
        5.0,
        0.10,
    ),
    ("DA-HCM-S02", "Hệ thống cống kiểm soát triều và đê bao xã Cần Giờ", ("Xã Cần Giờ",), 3.0, 0.24),
    ("DA-HCM-S03", "Nạo vét, gia cố rạch Cầu Ngang (xã Bình Chánh)", ("Xã Bình Chánh",), 1.5, 0.30),
)

# Templates of the other projects: sector, name (with {place}), group, weight, site clearance, line.
TEMPLATES: tuple[tuple[str, str, str, float, bool, bool], ...] = (
    (C.EDUCATION, "Xây dựng Trường Tiểu học {place}", G.C, 0.45, False, False),
    (C.EDUCATION, "Xây dựng Trường Trung học cơ sở {place}", G.C, 0.55, False, False),
    (C.EDUCATION, "Xây dựng Trường Mầm non {place}", G.C, 0.3, False, False),
    (C.EDUCATION, "Xây dựng Trường Trung học phổ thông {place}", G.B, 1.1, False, False),
    (C.HEALTH, "Xây dựng, nâng cấp Trạm Y tế {place}", G.C, 0.15, False, False),
    (C.HEALTH, "Nâng cấp Trung tâm Y tế khu vực {place}", G.B, 1.0, False, False),
    (C.TRANSPORT, "Nâng cấp, mở rộng đường liên phường {place}", G.B, 1.4, True, True),
    (C.TRANSPORT, "Xây dựng cầu và đường dẫn khu vực {place}", G.B, 1.6, True, True),
    (C.TRANSPORT, "Láng nhựa, nâng cấp đường giao thông nông thôn {place}", G.C, 0.35, False, True),
    (C.ENVIRONMENT, "Hệ thống thoát nước, chống ngập khu vực {place}", G.B, 1.2, True, True),
    (C.ENVIRONMENT, "Nạo vét, kè bờ kênh rạch khu vực {place}", G.C, 0.5, False, True),
    (C.URBAN, "Chỉnh trang đô thị, vỉa hè và chiếu sáng {place}", G.C, 0.4, False, False),
    (C.URBAN, "Công viên cây xanh và không gian công cộng {place}", G.C, 0.35, False, False),
    (C.GOVERNMENT, "Xây dựng trụ sở làm việc Đảng ủy, HĐND, UBND {place}", G.C, 0.4, False, False),
    (C.CULTURE, "Trung tâm văn hóa, thể thao {place}", G.C, 0.3, False, False),
    (C.SECURITY, "Trụ sở làm việc Công an {place}", G.C, 0.25, False, False),
    (C.DIGITAL, "Hệ thống camera giám sát an ninh, giao thông khu vực {place}", G.C, 0.3, False, False),
    (C.IRRIGATION, "Kênh tiêu thoát nước nội đồng {place}", G.C, 0.3, False, True),
)
BD_BOARD: dict[str, str] = {
    C.TRANSPORT: "BD_BQLGT", C.IRRIGATION: "BD_BQLNN", C.SECURITY: "CATINH", C.DIGITAL: "STTTT",
    C.HEALTH: "BD_BQLDA", C.EDUCATION: "BD_BQLDA",
}  # fmt: skip
CITY_BOARD: dict[str, str] = {
    C.TRANSPORT: "HCM_BQLGT", C.IRRIGATION: "HCM_BQLHT", C.SECURITY: "HCM_CA", C.DIGITAL: "HCM_SKHCN",
    C.HEALTH: "HCM_BQLDD", C.EDUCATION: "HCM_BQLDD", C.ENVIRONMENT: "HCM_BQLHT", C.URBAN: "HCM_BQLHT",
}  # fmt: skip
BD_GENERATED = 66
CITY_GENERATED = 108


def _place(name: str) -> str:
    for prefix in ("Phường ", "Xã ", "Thị trấn ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _sources(sector: str, group: str, *key: object) -> tuple[str, ...]:
    if group == G.C:
        return (S.PROVINCIAL,) if _uniform("src", *key) < 0.6 else (S.PROVINCIAL, S.LAND_USE)
    if sector in (C.TRANSPORT, C.ENVIRONMENT) and _uniform("src", *key) < 0.35:
        return (S.CENTRAL, S.PROVINCIAL)
    if sector == C.EDUCATION and _uniform("src", *key) < 0.2:
        return (S.PROVINCIAL, S.LOTTERY)
    return (S.PROVINCIAL,)


def project_specs(
    *, seed: int, bd_communes: Sequence[str], city_communes: Sequence[str], former_bd: Iterable[str] = ()
) -> list[Spec]:
    """The demo's projects: the named ones and those made from templates, deterministic from ``seed``.

    A project of the new city holds a plan of 2025 only where its communes were wholly Bình Dương's
    (``former_bd``): its plan of the first half of 2025 (none) then counts in Bình Dương, whose figures
    the projects make, not in the two other former provinces, whose figures come from their districts."""
    specs = _specs(seed, bd_communes, city_communes)
    whole = set(former_bd)
    for spec in specs:
        if spec.era == "city" and 2025 in spec.years and not whole.issuperset(spec.communes):
            spec.years = tuple(y for y in spec.years if y != 2025)
        # The demo's figures reach into 2027 as the months pass: the city's unfinished projects hold its plan.
        if spec.era == "city" and spec.planned_completion_on.year >= LAST_YEAR:
            spec.years = (*spec.years, LAST_YEAR)
    return specs


def _specs(seed: int, bd_communes: Sequence[str], city_communes: Sequence[str]) -> list[Spec]:
    specs: list[Spec] = []
    for n, (name, investor, group, sector, sources, communes, years, weight, speed, line) in enumerate(
        BD_NAMED, start=1
    ):
        start = D(years[0] - (2 if group in (G.NATIONAL, G.A) else 1), 3 + n % 8, 10 + n % 15)
        end = D(2023, 12, 22) if n == 1 else D(max(years) + 1 + (1 if group == G.NATIONAL else 0), 6, 30)
        specs.append(
            Spec(
                code=f"DA-BD-{n:03d}", name=name, era="bd", investor=investor, group=group, sector=sector,
                sources=sources, communes=communes, years=years, weight=weight, speed=speed, start_on=start,
                planned_completion_on=end, line=line,
                clearance=sector in (C.TRANSPORT, C.HEALTH, C.URBAN) or "thoát nước" in name,
                completed_on=D(2023, 12, 22) if n == 1 else None,
            )
        )  # fmt: skip
    for n, (name, investor, group, sector, sources, communes, years, weight, speed, line) in enumerate(
        CITY_NAMED, start=1
    ):
        start = D(2024 - (1 if group in (G.NATIONAL, G.A) else 0), 2 + n % 9, 5 + n % 20)
        specs.append(
            Spec(
                code=f"DA-HCM-{n:03d}", name=name, era="city", investor=investor, group=group, sector=sector,
                sources=sources, communes=communes, years=years, weight=weight, speed=speed, start_on=start,
                planned_completion_on=D(2027 + (1 if group == G.NATIONAL else 0), 12, 31), line=line,
                clearance=sector in (C.TRANSPORT, C.HEALTH) or "kênh" in name,
            )
        )  # fmt: skip
    for code, name, communes, weight, speed in STORY:
        specs.append(
            Spec(
                code=code, name=name, era="city", investor=STORY_INVESTOR, group=G.B, sector=C.IRRIGATION,
                sources=(S.PROVINCIAL,), communes=communes, years=(2025, 2026), weight=weight, speed=speed,
                start_on=D(2025, 3, 15), planned_completion_on=D(2027, 6, 30), line=True, clearance=True,
            )
        )  # fmt: skip
    specs += _generated(seed, "bd", bd_communes, BD_GENERATED)
    specs += _generated(seed, "city", city_communes, CITY_GENERATED)
    return specs


def _generated(seed: int, era: str, communes: Sequence[str], count: int) -> list[Spec]:
    specs: list[Spec] = []
    used: set[str] = set()
    for n in range(1, count + 1):
        sector, pattern, group, weight, clearance, line = TEMPLATES[int(_uniform(seed, era, "tpl", n) * len(TEMPLATES))]
        commune = _pick(communes, seed, era, "commune", n)
        name = pattern.format(place=_place(commune))
        if name in used:
            name = f"{name} (giai đoạn 2)"
        used.add(name)
        board = (BD_BOARD if era == "bd" else CITY_BOARD).get(sector)
        if era == "bd":
            first = FIRST_YEAR + int(_uniform(seed, era, "start", n) * 3)  # 2023–2025
            years = tuple(y for y in BD_YEARS if first <= y < first + 2 + int(_uniform(seed, era, "len", n) * 2))
            code = f"DA-BD-{100 + n:03d}"
        else:
            years = (2025, 2026) if _uniform(seed, era, "start", n) < 0.55 else (2026,)
            code = f"DA-HCM-{100 + n:03d}"
        # Small works are the commune's (or the district's, on the old map) own; larger ones a board's.
        investor = board if (board and (group != G.C or _uniform(seed, era, "inv", n) < 0.3)) else ""
        size = weight * math.exp(0.4 * _gauss(seed, era, "size", n))
        speed = max(0.4, min(1.7, 1.0 + 0.3 * _gauss(seed, era, "speed", n)))
        start = D(years[0] - (1 if group != G.C else 0), 1 + int(_uniform(seed, era, "sm", n) * 12), 10)
        if era == "city" and start < REFORM_DATE and years[0] == 2026:
            start = D(2025, 9, 15)
        end = D(years[-1] + 1, 6 if group == G.C else 12, 30)
        specs.append(
            Spec(
                code=code, name=name, era=era, investor=investor or commune, group=group, sector=sector,
                sources=_sources(sector, group, seed, era, n), communes=(commune,), years=years, weight=size,
                speed=speed, start_on=start, planned_completion_on=end, line=line, clearance=clearance,
            )
        )  # fmt: skip
    return specs


# ---- the province's figures the projects must add up to ----------------------------------------


@dataclass
class Segment:
    """The months of one plan year in one province (old Bình Dương, or the new city): the stock of the
    plan as at each month's end and the month's disbursement, in whole millions."""

    year: int
    months: list[int]
    stock: dict[int, int]
    flows: dict[int, int]


def _millions(value: Decimal) -> int:
    return int((value * MILLION_PER_TY).to_integral_value())


def province_targets(*, until: Period) -> dict[int, dict[str, Segment]]:
    """The demo's stored PI_PLAN and PI_DISB to be matched: Bình Dương's districts summed (2023 – 6/2025),
    the city's own (7/2025 – ``until``), by year and by "bd" / "city"."""
    last = (until.end_date.year, until.end_date.month)
    bd = unit_at(PROVINCE_CODE, on=D(FIRST_YEAR, 1, 1))
    city = unit_at(CITY_CODE, on=REFORM_DATE)
    if bd is None or city is None:
        raise ValueError("the demo's provinces are not in the catalogue")
    out: dict[int, dict[str, Segment]] = defaultdict(dict)
    queries = (
        ("bd", DataValue.objects.filter(org_unit__parent=bd, org_unit__kind=OrgUnitKind.DISTRICT)),
        ("city", DataValue.objects.filter(org_unit=city)),
    )
    for era, values in queries:
        rows = (
            values.filter(indicator__code__in=(PLAN, DISB), period__gte=_period(FIRST_YEAR, 1))
            .values("indicator__code", "period")
            .annotate(total=Sum("value"))
        )
        for row in rows:
            period = row["period"]
            if len(period) != 6:
                continue
            year, month = int(period[:4]), int(period[4:])
            if (year, month) > last or ((year, month) >= CITY_FIRST_MONTH) != (era == "city"):
                continue
            segment = out[year].setdefault(era, Segment(year, [], {}, {}))
            target = segment.stock if row["indicator__code"] == PLAN else segment.flows
            target[month] = _millions(Decimal(row["total"]))
    for segments in out.values():
        for segment in segments.values():
            segment.months = sorted(set(segment.stock) | set(segment.flows))
    return dict(out)


# ---- plans and disbursement ----------------------------------------------------------------------


@dataclass
class Money:
    """What the projects get: allocations, transfers and monthly disbursement, in whole millions."""

    allocations: list[tuple[str, int, str, str, int, dt.date, str, dt.date]] = field(default_factory=list)
    transfers: list[tuple[int, str, str, str, int, dt.date, str, dt.date]] = field(default_factory=list)
    disbursements: list[tuple[str, int, str, str, int]] = field(default_factory=list)
    disbursed: dict[tuple[str, int], int] = field(default_factory=dict)
    plan: dict[tuple[str, int], int] = field(default_factory=dict)


def _decision(year: int, era: str, what: str) -> tuple[str, dt.date]:
    number = 1000 + int(_uniform("decision", year, era, what) * 3000)
    if what == "initial":
        return f"{number}/QĐ-UBND", (D(year - 1, 12, 12) if era == "bd" or year > 2025 else REFORM_DATE)
    return f"{number}/QĐ-UBND", D(year, 1, 1)


def plan_money(specs: Sequence[Spec], targets: Mapping[int, Mapping[str, Segment]], *, seed: int) -> Money:
    """Allocate each segment's plan (at its first month; a later change of the stock as an adjustment) and
    its monthly flows among the projects of that year, with a few adjustments and transfers between
    projects that keep the total; the flows by each project's speed, never above its plan."""
    money = Money()
    by_code = {s.code: s for s in specs}
    for year in sorted(targets):
        # plan[code][source]: the project's plan of the year as it stands.
        plan: dict[str, dict[str, int]] = {}
        spent: dict[str, dict[str, int]] = {}
        for era in ("bd", "city"):
            segment = targets[year].get(era)
            if segment is None:
                continue
            members = [s for s in specs if year in s.years and (s.era == era)]
            if not members:
                raise ValueError(f"no demo project holds a plan of {year} ({era})")
            first = segment.months[0]
            already = sum(sum(v.values()) for v in plan.values())
            initial = segment.stock.get(first, 0) - already
            if initial < 0:
                raise ValueError(f"the demo's plan of {year} falls at the reform")
            effective = D(year, first, 1)
            number, date = _decision(year, era, "initial")
            shares = _split(initial, {s.code: s.weight for s in members})
            for spec in members:
                parts = _split(shares[spec.code], {src: (3.0 if i == 0 else 1.0) for i, src in enumerate(spec.sources)})
                plan[spec.code] = dict(parts)
                spent[spec.code] = dict.fromkeys(parts, 0)
                for source, amount in parts.items():
                    money.allocations.append(
                        (spec.code, year, source, AllocationKind.INITIAL, amount, effective, number, date)
                    )
            # The plans of the year so far (Bình Dương's, in the city's months of 2025) take part too.
            active = list(plan)
            for month in segment.months:
                # A change of the stock (none in the demo's series, but a series may have one): an adjustment.
                stock = segment.stock.get(month, 0)
                now = sum(sum(plan[c].values()) for c in plan)
                if stock != now and month != first:
                    delta = stock - now
                    number, date = _decision(year, era, f"adjust-{month}")
                    room = {c: sum(plan[c].values()) - sum(spent[c].values()) for c in active}
                    weights = {c: by_code[c].weight for c in active}
                    parts = (
                        _split(delta, weights)
                        if delta > 0
                        else {c: -v for c, v in _capped(-delta, weights, room).items()}
                    )
                    for code, amount in parts.items():
                        if amount:
                            source = by_code[code].sources[0]
                            plan[code][source] += amount
                            money.allocations.append(
                                (code, year, source, AllocationKind.ADJUSTMENT, amount, D(year, month, 1), number, date)
                            )
                _moves(money, by_code, active, plan, spent, year=year, month=month, era=era, seed=seed)
                flow = segment.flows.get(month, 0)
                room = {c: max(0, int(sum(plan[c].values()) * CAP) - sum(spent[c].values())) for c in active}
                weights = {c: by_code[c].speed * sum(plan[c].values()) for c in active}
                parts = _capped(flow, weights, room)
                for code, amount in parts.items():
                    if not amount:
                        continue
                    left = {src: plan[code][src] - spent[code][src] for src in plan[code]}
                    for source, part in _capped(amount, {s: float(max(v, 0)) for s, v in left.items()}, left).items():
                        if part:
                            spent[code][source] += part
                            money.disbursements.append((code, year, source, _period(year, month), part))
        for code, parts in plan.items():
            money.plan[(code, year)] = sum(parts.values())
            money.disbursed[(code, year)] = sum(spent[code].values())
        if year + 1 in targets:
            _carry_over(money, by_code, year=year, seed=seed)
    return money


def _carry_over(money: Money, by_code: Mapping[str, Spec], *, year: int, seed: int) -> None:
    """A few projects' undisbursed capital of ``year`` extended into the next year (kept apart from its plan)."""
    following = year + 1
    candidates = sorted(
        code for (code, y) in money.plan if y == year and following in by_code[code].years and code != STORY_PROJECT
    )
    for code in candidates:
        left = money.plan[(code, year)] - money.disbursed[(code, year)]
        if left < 1000 or _uniform(seed, code, year, "carry") > 0.12:
            continue
        amount = (left // 2 // 100) * 100
        number, date = f"{1000 + int(_uniform(seed, code, year, 'carry-n') * 3000)}/QĐ-UBND", D(following, 1, 20)
        money.allocations.append(
            (code, following, by_code[code].sources[0], AllocationKind.CARRYOVER, amount, date, number, date)
        )


# Months of the adjustments and transfers (of the year's plan) the demo makes.
ADJUST_MONTH = 6
TRANSFER_MONTH = 9


def _moves(
    money: Money,
    by_code: Mapping[str, Spec],
    active: Sequence[str],
    plan: dict[str, dict[str, int]],
    spent: dict[str, dict[str, int]],
    *,
    year: int,
    month: int,
    era: str,
    seed: int,
) -> None:
    """A mid-year adjustment (a pair that keeps the total) and a transfer from a slow project to a fast
    one, as the province does when a project cannot use its capital."""
    if month not in (ADJUST_MONTH, TRANSFER_MONTH) or len(active) < 6:
        return
    ranked = sorted(active, key=lambda c: (by_code[c].speed, c))
    slow = [c for c in ranked[: len(ranked) // 3] if c != STORY_PROJECT and not c.startswith("DA-HCM-S")]
    fast = ranked[-len(ranked) // 3 :]
    if not slow or not fast:
        return
    giver = _pick(slow, seed, year, era, month, "from")
    taker = _pick(fast, seed, year, era, month, "to")
    source = by_code[giver].sources[0]
    room = plan[giver][source] - spent[giver][source]
    amount = (int(room * 0.25) // 100) * 100
    if amount <= 0:
        return
    number, date = _decision(year, era, f"move-{month}")
    day = D(year, month, 15)
    plan[giver][source] -= amount
    plan[taker][source] = plan[taker].get(source, 0) + amount
    spent[taker].setdefault(source, 0)
    if month == ADJUST_MONTH:
        money.allocations.append((giver, year, source, AllocationKind.ADJUSTMENT, -amount, day, number, date))
        money.allocations.append((taker, year, source, AllocationKind.ADJUSTMENT, amount, day, number, date))
    else:
        money.transfers.append((year, source, giver, taker, amount, day, number, date))


# ---- loading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoProjectsResult:
    projects: int
    disbursements: int
    obstacles: int
    loaded: bool


def _former_bd(city: Mapping[str, OrgUnit]) -> set[str]:
    """The new city's communes made wholly of Bình Dương's (by name)."""
    bd = unit_at(PROVINCE_CODE, on=D(FIRST_YEAR, 1, 1))
    if bd is None:
        return set()
    sources: dict[int, set[bool]] = defaultdict(set)
    for successor, path in Succession.objects.filter(successor__in=list(city.values())).values_list(
        "successor_id", "predecessor__path"
    ):
        sources[successor].add(path.startswith(bd.path))
    return {name for name, unit in city.items() if sources.get(unit.pk) == {True}}


def _communes(era: str) -> dict[str, OrgUnit]:
    if era == "bd":
        bd = unit_at(PROVINCE_CODE, on=D(FIRST_YEAR, 1, 1))
        units = OrgUnit.objects.filter(path__startswith=bd.path, kind=OrgUnitKind.COMMUNE) if bd else []
    else:
        city = unit_at(CITY_CODE, on=REFORM_DATE)
        units = OrgUnit.objects.filter(parent=city, kind=OrgUnitKind.COMMUNE) if city else []
    return {u.name: u for u in units}


def _geometry(spec: Spec, units: Sequence[OrgUnit]) -> dict[str, object] | None:
    points = [
        (
            round(u.longitude + 0.003 * _gauss(spec.code, "x", u.code), 6),
            round(u.latitude + 0.003 * _gauss(spec.code, "y", u.code), 6),
        )
        for u in units
        if u.latitude is not None and u.longitude is not None
    ]
    if not points:
        return None
    if spec.line:
        if len(points) == 1:
            x, y = points[0]
            points = [(round(x - 0.006, 6), round(y - 0.004, 6)), (x, y), (round(x + 0.006, 6), round(y + 0.005, 6))]
        return {"type": "LineString", "coordinates": [list(p) for p in points]}
    return {"type": "Point", "coordinates": list(points[0])}


def _fingerprint(specs: Sequence[Spec], money: Money) -> str:
    digest = hashlib.sha256(SCENARIO_VERSION.encode())
    for spec in specs:
        digest.update(f"{spec.code},{spec.name},{spec.investor}\n".encode())
    for row in money.disbursements:
        digest.update(repr(row).encode())
    return digest.hexdigest()[:12]


def demo_project_specs(*, seed: int, communes: Mapping[str, Mapping[str, OrgUnit]] | None = None) -> list[Spec]:
    """The demo's projects on the demo's communes (read from the catalogue unless given)."""
    communes = communes or {era: _communes(era) for era in ("bd", "city")}
    return project_specs(
        seed=seed,
        bd_communes=sorted(communes["bd"]),
        city_communes=sorted(communes["city"]),
        former_bd=_former_bd(communes["city"]),
    )


def projects_demo_load(*, seed: int, until: Period, user: object = None) -> DemoProjectsResult:
    """Make the database hold the demo's sample projects for ``seed`` up to the month ``until``, then have
    their figures written; nothing changes when it already holds exactly them."""
    communes = {era: _communes(era) for era in ("bd", "city")}
    cutoff = _month_end(until.end_date.year, until.end_date.month)
    # The city's projects once the demo's months reach the city.
    specs = [s for s in demo_project_specs(seed=seed, communes=communes) if s.era == "bd" or cutoff >= REFORM_DATE]
    targets = province_targets(until=until)
    money = plan_money(specs, targets, seed=seed)
    mark = f"[dữ liệu mẫu {_fingerprint(specs, money)}]"
    held = Project.objects.filter(sample=True)
    if held.count() == len(specs) and held.filter(description__endswith=mark).count() == len(specs):
        return DemoProjectsResult(len(specs), Disbursement.objects.filter(project__sample=True).count(),
                                  Obstacle.objects.filter(project__sample=True).count(), False)  # fmt: skip
    with transaction.atomic(), scorecards_deferred():
        _clear()
        projects = _write_projects(specs, communes, mark=mark, user=user)
        _write_money(money, projects, user=user)
        _write_site_clearance(specs, projects, until=until, seed=seed, user=user)
        obstacles, agencies = _write_obstacles(specs, projects, until=until, seed=seed, user=user)
        # As at the end of the demo's last month (or today, if earlier): the month under way has no
        # figures in the demo, and the register would otherwise write it (nothing disbursed yet).
        day = min(_month_end(until.end_date.year, until.end_date.month), orgunits_today())
        figures_refresh(user=user, today=day)
    scorecards_refresh(units=agencies, today=orgunits_today())
    return DemoProjectsResult(len(projects), len(money.disbursements), obstacles, True)


def _clear() -> None:
    """Remove the sample projects of an earlier load (and the directives following their obstacles)."""
    samples = Project.objects.filter(sample=True)
    directives = Directive.objects.filter(obstacle__project__in=samples)
    sources = list(SourceDocument.objects.filter(directives__in=directives).values_list("pk", flat=True).distinct())
    directives.delete()
    SourceDocument.objects.filter(pk__in=sources, directives__isnull=True).delete()
    CapitalTransfer.objects.filter(from_project__in=samples).delete()
    CapitalTransfer.objects.filter(to_project__in=samples).delete()
    samples.delete()


def _write_projects(
    specs: Sequence[Spec], communes: Mapping[str, Mapping[str, OrgUnit]], *, mark: str, user: object
) -> dict[str, Project]:
    investors: dict[str, OrgUnit] = {}
    projects: dict[str, Project] = {}
    for spec in specs:
        units = [communes[spec.era][name] for name in spec.communes if name in communes[spec.era]]
        if not units:
            units = [next(iter(communes[spec.era].values()))]
        spec.units = tuple(units)
        day = D(FIRST_YEAR, 1, 1) if spec.era == "bd" else REFORM_DATE
        investor = communes[spec.era].get(spec.investor) or investors.get(spec.investor)
        if investor is not None and spec.era == "bd" and investor.kind == OrgUnitKind.COMMUNE:
            # On the old map a commune's small works were its district's to invest.
            investor = investor.parent
        if investor is None:
            investor = unit_at(spec.investor, on=day)
            if investor is None:
                raise ValueError(f"the demo's investor {spec.investor} is not in the catalogue on {day}")
            investors[spec.investor] = investor
        finished = spec.completed_on is not None
        stage = ProjectStage.COMPLETED if finished else ProjectStage.IMPLEMENTATION
        if "chuẩn bị đầu tư" in spec.name:
            stage = ProjectStage.PREPARATION
        issuer = BD_ISSUER if spec.era == "bd" else CITY_ISSUER
        project = services.project_save(
            code=spec.code,
            name=spec.name,
            investor=investor,
            group=spec.group,
            sector=spec.sector,
            stage=stage,
            total_investment=Decimal(0),
            sources=list(spec.sources),
            locations=units,
            geometry=_geometry(spec, units),
            start_on=spec.start_on,
            planned_completion_on=spec.planned_completion_on,
            completed_on=spec.completed_on,
            description=f"Dự án mẫu của bản trình diễn, số liệu giả lập. {mark}",
            sample=True,
            user=user,
        )
        number = 100 + int(_uniform(spec.code, "policy") * 900)
        services.decision_save(
            project=project, kind=DecisionKind.POLICY, number=f"{number}/NQ-HĐND",
            date=spec.start_on - dt.timedelta(days=400), issuer=issuer.replace("UBND", "HĐND"),
        )  # fmt: skip
        services.decision_save(
            project=project, kind=DecisionKind.APPROVAL, number=f"{number * 7 % 5000 + 200}/QĐ-UBND",
            date=spec.start_on - dt.timedelta(days=120), issuer=issuer,
        )  # fmt: skip
        projects[spec.code] = project
    return projects


def _write_money(money: Money, projects: Mapping[str, Project], *, user: object) -> None:
    totals: dict[str, int] = defaultdict(int)
    for (code, _year), amount in money.plan.items():
        totals[code] += amount
    # Each project's total investment: what it is planned in the register's years, and more before and after.
    for code, project in projects.items():
        planned = totals.get(code, 0)
        factor = 1.2 + 0.8 * _uniform(code, "total")
        project.total_investment = Decimal(max(1000, round(planned * factor / 1000) * 1000))
        Project.objects.filter(pk=project.pk).update(total_investment=project.total_investment)
    for code, year, source, kind, amount, effective, number, date in money.allocations:
        services.allocation_add(
            project=projects[code], year=year, source=source, kind=kind, amount=Decimal(amount),
            effective_on=effective, decision_number=number, decision_date=date, user=user,
        )  # fmt: skip
    rows = [
        services.DisbursementRow(projects[code].pk, year, source, period, Decimal(amount))
        for code, year, source, period, amount in money.disbursements
    ]
    services.disbursements_write(rows=rows, user=user)
    for year, source, giver, taker, amount, effective, number, date in money.transfers:
        services.transfer_make(
            year=year, source=source, from_project=projects[giver], to_project=projects[taker],
            amount=Decimal(amount), effective_on=effective, decision_number=number, decision_date=date,
            note="Điều chuyển vốn từ dự án giải ngân chậm sang dự án giải ngân tốt (dữ liệu mẫu).", user=user,
        )  # fmt: skip


def _clearance_months(spec: Spec, until: Period) -> list[tuple[int, int]]:
    last = (until.end_date.year, until.end_date.month)
    if spec.era == "bd":
        last = min(last, (2025, 6))
        first = (FIRST_YEAR, 1)
    else:
        first = CITY_FIRST_MONTH
    first = max(first, (spec.start_on.year, spec.start_on.month))
    months = []
    year, month = first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _write_site_clearance(
    specs: Sequence[Spec], projects: Mapping[str, Project], *, until: Period, seed: int, user: object
) -> None:
    """Site clearance of the roads, hospitals and drainage: per commune, the running totals at each
    month's end, rising to the whole (slow projects, and the story's, stall short of it)."""
    rows = []
    for spec in specs:
        if not spec.clearance:
            continue
        months = _clearance_months(spec, until)
        if not months:
            continue
        for unit in spec.units:
            key = (seed, spec.code, unit.code)
            area = round(20_000 + 400_000 * _uniform(*key, "area") * spec.weight / 4)
            households = 10 + int(300 * _uniform(*key, "hh") * min(spec.weight, 8) / 4)
            plots = int(households * (0.2 + 0.3 * _uniform(*key, "plots")))
            money_total = round(area * (1.5 + 6 * _uniform(*key, "price")))  # million đồng
            ceiling = 0.62 if spec.code == STORY_PROJECT else min(1.0, 0.75 + 0.3 * spec.speed)
            for i, (year, month) in enumerate(months, start=1):
                done = min(ceiling, (i / (len(months) + 3)) ** 0.7 * (0.9 + 0.2 * spec.speed))
                if spec.completed_on is not None:
                    done = 1.0
                paid = int(households * done)
                rows.append(
                    services.SiteClearanceRow(
                        project_id=projects[spec.code].pk,
                        org_unit_id=unit.pk,
                        period=_period(year, month),
                        area_total=Decimal(area),
                        area_handed_over=Decimal(round(area * done * 0.97)),
                        households_total=households,
                        households_approved=min(households, int(households * min(1.0, done * 1.25))),
                        households_paid=paid,
                        compensation_approved=Decimal(round(money_total * min(1.0, done * 1.2))),
                        compensation_paid=Decimal(round(money_total * done * 0.95)),
                        plots_needed=plots,
                        plots_allocated=int(plots * done * 0.8),
                    )
                )
    services.site_clearance_write(rows=rows, user=user)


# Obstacles: (category, description, resolving agency by era ("" = the commune itself)).
OBSTACLES: tuple[tuple[str, str, str, str], ...] = (
    (
        ObstacleCategory.SITE_CLEARANCE,
        "Còn {n} hộ dân chưa đồng ý phương án bồi thường, chưa bàn giao mặt bằng.",
        "",
        "",
    ),
    (ObstacleCategory.LAND, "Chưa phê duyệt giá đất cụ thể để tính bồi thường.", "STNMT", "HCM_SNNMT"),
    (ObstacleCategory.PROCEDURE, "Điều chỉnh chủ trương đầu tư chưa được thẩm định.", "STC", "HCM_STC"),
    (ObstacleCategory.DESIGN, "Thiết kế kỹ thuật phải điều chỉnh do vướng đường điện cao thế.", "SXD", "HCM_SXD"),
    (ObstacleCategory.CAPITAL, "Vốn ngân sách trung ương chưa được giao chi tiết.", "STC", "HCM_STC"),
    (ObstacleCategory.MATERIALS, "Thiếu cát đắp nền, mỏ vật liệu chưa được cấp phép khai thác.", "STNMT", "HCM_SNNMT"),
    (ObstacleCategory.CONTRACTOR, "Nhà thầu thi công chậm, chưa huy động đủ nhân lực, máy móc.", "SXD", "HCM_SXD"),
    (ObstacleCategory.SITE_CLEARANCE, "Khu tái định cư chưa đủ nền để bố trí cho {n} hộ.", "", ""),
)
OBSTACLE_COUNT = 40


def _write_obstacles(
    specs: Sequence[Spec], projects: Mapping[str, Project], *, until: Period, seed: int, user: object
) -> tuple[int, set[int]]:
    """About forty obstacles, on the slowest projects of each era: in the city's last months, some open
    and within their deadline, some open past it, some resolved; on the old map, resolved (a few late).
    The story's project has one open past its deadline, for the Department of Agriculture and Environment."""
    cutoff = _month_end(until.end_date.year, until.end_date.month)
    ranked = sorted(
        (s for s in specs if s.clearance or s.group != G.C),
        key=lambda s: (s.code != STORY_PROJECT, s.speed, s.code),
    )
    city = [s for s in ranked if s.era == "city"][:26]
    bd = [s for s in ranked if s.era == "bd"][: OBSTACLE_COUNT - len(city)]
    agencies: set[int] = set()
    count = 0
    for spec in [*city, *bd]:
        key = (seed, spec.code, "obstacle")
        if spec.code == STORY_PROJECT:
            category, text, _old, new = OBSTACLES[1]
            text = (
                "Còn 37 hộ dân tại phường Lái Thiêu chưa nhận tiền bồi thường, chưa bàn giao mặt bằng do giá đất cụ "
                "thể chưa được phê duyệt; đoạn kè 420 m chưa thể thi công."
            )
            agency_code, reported = new, max(REFORM_DATE, cutoff - dt.timedelta(days=150))
            deadline, resolved = max(reported + dt.timedelta(days=30), cutoff - dt.timedelta(days=45)), None
        else:
            category, text, old, new = OBSTACLES[int(_uniform(*key, "kind") * len(OBSTACLES))]
            text = text.format(n=5 + int(60 * _uniform(*key, "n")))
            agency_code = old if spec.era == "bd" else new
            if spec.era == "bd":
                reported = D(2023 + int(_uniform(*key, "y") * 2), 2 + int(_uniform(*key, "m") * 9), 5)
                deadline = reported + dt.timedelta(days=60 + int(60 * _uniform(*key, "d")))
                resolved = deadline + dt.timedelta(days=int(50 * _uniform(*key, "r")) - 25)
                resolved = max(resolved, reported + dt.timedelta(days=10))
            else:
                reported = max(REFORM_DATE, cutoff - dt.timedelta(days=20 + int(200 * _uniform(*key, "ago"))))
                deadline = reported + dt.timedelta(days=45 + int(90 * _uniform(*key, "d")))
                fate = _uniform(*key, "fate")
                resolved = None if fate < 0.6 else min(cutoff, reported + dt.timedelta(days=20 + int(60 * fate)))
        if reported > cutoff:
            continue  # the demo's months end before it
        if resolved is not None and resolved > cutoff:
            resolved = None
        unit = spec.units[0] if spec.units else None
        agency: OrgUnit | None
        if agency_code:
            agency = unit_at(agency_code, on=reported)
        else:
            agency = unit if unit is not None and _valid_on(unit, reported) else None
        if agency is None:
            continue
        obstacle = services.obstacle_create(
            project=projects[spec.code], category=category, description=text, reported_on=reported,
            resolving_agency=agency, deadline=deadline, org_unit=unit, user=user,
        )  # fmt: skip
        agencies.add(agency.pk)
        count += 1
        if resolved is not None:
            services.obstacle_resolve(
                obstacle=obstacle, resolved_on=resolved, resolution="Đã tháo gỡ; dự án tiếp tục thi công.", user=user
            )
    return count, agencies


def _valid_on(unit: OrgUnit, day: dt.date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day <= unit.valid_to)
