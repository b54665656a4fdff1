"""The seed article's directives in the Bình Dương demo, with a plausible 2023 of progress.

``dieuhanh demo`` calls ``directives_demo_load`` after loading the catalogue (``demo.catalogue``)
and the figures (``demo.figures``).
The article is read by the extractor like any text; then, as an operator of the office would,
the demo corrects a few proposed leads, sets deadlines for the tasks the article gave none,
and plays a year of reports and confirmations. All of it is illustrative sample data. Loading
again changes nothing; a changed scenario replaces the demo document and its directives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dieuhanh.demo.units import PROVINCE_CODE
from dieuhanh.directives.choices import Recurrence, SourceKind
from dieuhanh.directives.extraction import extract_directives
from dieuhanh.directives.models import Directive, ProgressUpdate, SourceDocument
from dieuhanh.directives.scorecards import scorecards_collect, scorecards_deferred
from dieuhanh.directives.selectors import agency_catalogue
from dieuhanh.directives.services import (
    DirectiveInput,
    directives_create,
    parse_recurrence,
    progress_report,
    progress_review,
    source_document_create,
    today_local,
)
from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import unit_at

ARTICLE_FILE = Path("demo") / "binh-duong-2023-directives.vi.txt"
DOCUMENT_DATE = dt.date(2023, 7, 20)
ISSUER = "Chủ tịch UBND tỉnh Bình Dương"
TITLE_PREFIX = "Chỉ đạo của Chủ tịch UBND tỉnh sau sơ kết 6 tháng đầu năm 2023 (dữ liệu mẫu"
SCENARIO_VERSION = "1"


@dataclass(frozen=True)
class Step:
    """A report on a date: percent, text, and what the office did with it (None: no review yet)."""

    on: dt.date
    percent: int
    text: str
    accept: bool | None = None


@dataclass(frozen=True)
class Plan:
    """The operator's choices for one directive (matched by a phrase of its content) and its 2023."""

    phrase: str
    lead: str | None = None
    deadline: dt.date | None = None
    recurrence: str | None = None
    ends_on: dt.date | None = None
    steps: tuple[Step, ...] = ()


D = dt.date
PLANS: tuple[Plan, ...] = (
    Plan(
        "rào cản, vướng mắc",
        lead="SKHDT",
        steps=(Step(D(2023, 9, 30), 40, "Đã tổ chức 3 hội nghị đối thoại doanh nghiệp."),),
    ),
    Plan(
        "cụm công nghiệp",
        lead="SCT",
        deadline=D(2023, 11, 30),
        steps=(
            Step(D(2023, 8, 31), 20, "Trình dự thảo chính sách hỗ trợ di dời."),
            Step(D(2023, 11, 15), 45, "Chờ ý kiến các sở."),
        ),
    ),
    Plan(
        "Hội đồng điều phối", lead="SKHDT", steps=(Step(D(2023, 10, 10), 30, "Đã gửi danh mục dự án liên kết vùng."),)
    ),
    Plan(
        "quy hoạch chung",
        lead="SXD",
        deadline=D(2023, 12, 31),
        steps=(
            Step(D(2023, 10, 5), 60, "Đã thẩm định 5/9 đồ án."),
            Step(D(2023, 12, 28), 100, "Đã trình phê duyệt đủ 9 đồ án."),
        ),
    ),
    Plan(
        "giấy chứng nhận quyền sử dụng đất",
        lead="STNMT",
        deadline=D(2023, 10, 31),
        steps=(
            Step(D(2023, 9, 1), 50, "Đã cấp cho 2 dự án tái định cư."),
            Step(D(2023, 10, 20), 100, "Hoàn tất 6 dự án.", True),
        ),
    ),
    Plan(
        "thu, chi ngân sách",
        lead="STC",
        recurrence="monthly:20",
        ends_on=D(2023, 12, 31),
        steps=(
            Step(D(2023, 8, 18), 100, "Báo cáo thu, chi ngân sách tháng 7.", True),
            Step(D(2023, 9, 19), 100, "Báo cáo thu, chi ngân sách tháng 8.", True),
            Step(D(2023, 10, 25), 100, "Báo cáo thu, chi ngân sách tháng 9 (gửi chậm).", True),
            Step(D(2023, 11, 17), 100, "Báo cáo thu, chi ngân sách tháng 10.", True),
        ),
    ),
    Plan(
        "kế hoạch đầu tư công năm 2023",
        lead="SKHDT",
        deadline=D(2023, 12, 31),
        steps=(
            Step(D(2023, 9, 30), 55, "Giải ngân đạt 55% kế hoạch."),
            Step(D(2023, 12, 20), 85, "Giải ngân đạt 85% kế hoạch."),
        ),
    ),
    Plan(
        "kế hoạch vốn đầu tư công năm 2024",
        lead="SKHDT",
        deadline=D(2023, 12, 15),
        steps=(Step(D(2023, 12, 8), 100, "Đã thông báo kế hoạch vốn năm 2024 cho các chủ đầu tư.", True),),
    ),
    Plan("an sinh xã hội", lead="SLDTBXH", steps=(Step(D(2023, 9, 15), 50, "Đã hỗ trợ 12.000 lao động mất việc."),)),
    Plan("nắm tình hình từ cơ sở", lead="CATINH", recurrence="continuous"),
    Plan("Ban Chỉ đạo Cải cách hành chính", lead="SNV"),
    Plan("thành phố thông minh", lead="STTTT"),
    Plan("Tổ công nghệ số cộng đồng", lead="STTTT", steps=(Step(D(2023, 11, 30), 70, "Tập huấn 91/91 tổ."),)),
    Plan(
        "Trung tâm Giám sát điều hành thông minh",
        lead="STTTT",
        deadline=D(2023, 10, 31),
        steps=(Step(D(2023, 9, 30), 60, "Đã kết nối 40 chỉ tiêu."),),
    ),
    Plan(
        "Bệnh viện Đa khoa 1.500 giường",
        lead="SYT",
        steps=(
            Step(D(2023, 9, 15), 50, "Hoàn thiện trang thiết bị khối khám bệnh."),
            Step(D(2023, 11, 20), 90, "Chạy thử khối khám bệnh."),
            Step(D(2023, 12, 22), 100, "Bệnh viện tiếp nhận bệnh nhân từ ngày 22/12/2023.", True),
        ),
    ),
    Plan(
        "khai giảng năm học mới",
        lead="SGDDT",
        steps=(Step(D(2023, 9, 4), 100, "Sẵn sàng khai giảng; 100% trẻ trong độ tuổi đến trường.", True),),
    ),
    Plan("quốc phòng an ninh", lead="CATINH", recurrence="continuous"),
    Plan(
        "trật tự an toàn giao thông", lead="SGTVT", steps=(Step(D(2023, 12, 31), 60, "Tai nạn giao thông giảm 3 vụ."),)
    ),
    Plan("Đề án 06", lead="CATINH", steps=(Step(D(2023, 10, 31), 65, "Đã triển khai 25/25 dịch vụ công thiết yếu."),)),
)


@dataclass(frozen=True)
class DemoDirectivesResult:
    directives: int
    updates: int
    loaded: bool


def _fingerprint(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8"))
    digest.update(SCENARIO_VERSION.encode())
    return digest.hexdigest()[:12]


def directives_demo_load(*, data_dir: Path) -> DemoDirectivesResult:
    """Load the article's directives and their 2023 as sample data; nothing changes if already there."""
    text = (data_dir / ARTICLE_FILE).read_text(encoding="utf-8")
    title = f"{TITLE_PREFIX} {_fingerprint(text)})"
    current = SourceDocument.objects.filter(title=title, date=DOCUMENT_DATE).first()
    if current is not None:
        return DemoDirectivesResult(
            current.directives.count(), ProgressUpdate.objects.filter(directive__source=current).count(), False
        )
    # The demo's figures end in 2023: its scorecards are collected once, for the whole of 2023 (zeros
    # before the first directive, so that the year is whole), not refreshed up to
    # today by each write (a signed-in overview would otherwise open on this month's directives alone).
    with transaction.atomic(), scorecards_deferred():
        for old in SourceDocument.objects.filter(title__startswith=TITLE_PREFIX):
            Directive.objects.filter(source=old, parent__isnull=False).delete()
            Directive.objects.filter(source=old).delete()
            old.delete()
        proposals = extract_directives(
            text, document_date=DOCUMENT_DATE, catalogue=agency_catalogue(on=DOCUMENT_DATE), suggest_leads=True
        )
        known = set(OrgUnit.objects.filter(code__in={p.lead for p in PLANS if p.lead}).values_list("code", flat=True))
        items, plans = [], []
        for proposal in proposals:
            plan = next((p for p in PLANS if p.phrase in proposal.content), Plan(""))
            recurrence, day = parse_recurrence(plan.recurrence or proposal.recurrence)
            lead = plan.lead if plan.lead in known else proposal.lead_agency
            items.append(
                DirectiveInput(
                    content=proposal.content,
                    lead=lead,
                    coordinating=proposal.coordinating_agencies,
                    deadline=None
                    if recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY)
                    else (plan.deadline or proposal.deadline),
                    recurrence=recurrence,
                    recurrence_day=day,
                    ends_on=plan.ends_on,
                    source_sentence=proposal.source_sentence,
                )
            )
            plans.append(plan)
        # Three provinces were in force on the article's date (the demo holds the whole reform): the
        # issuing one is Bình Dương, as the code names it on that day.
        province = unit_at(PROVINCE_CODE, on=DOCUMENT_DATE)
        source = source_document_create(
            kind=SourceKind.NEWS, date=DOCUMENT_DATE, issuer=ISSUER, title=title, text=text, org_unit=province
        )
        directives = directives_create(source=source, items=items)
        updates = 0
        for directive, plan in zip(directives, plans, strict=True):
            updates += _play(directive, plan)
        scorecards_collect(
            periods=Period.months_between(DOCUMENT_DATE.replace(month=1, day=1), dt.date(2023, 12, 31)),
            today=today_local(),
        )
    return DemoDirectivesResult(len(directives), updates, True)


def _play(directive: Directive, plan: Plan) -> int:
    """Report as the agency would have, on each step's date; the office reviews two days later."""
    for step in plan.steps:
        update = progress_report(directive=directive, percent=step.percent, text=step.text, reported_on=step.on)
        if step.accept is not None:
            reviewed = timezone.make_aware(dt.datetime.combine(step.on + dt.timedelta(days=2), dt.time(9)))
            note = "" if step.accept else "Bổ sung hồ sơ."
            progress_review(update=update, accept=step.accept, note=note, at=reviewed)
    return len(plan.steps)
