"""A year's plan against the disbursement milestones, at their boundaries."""

import datetime as dt
from decimal import Decimal

import pytest

from dieuhanh.projects.choices import ScheduleStatus
from dieuhanh.projects.schedule import (
    MilestoneSpecError,
    milestones_parse,
    pace_at,
    required_at,
    schedule_status,
    shortfall,
)

DEFAULT = "06-30:30;09-30:60;+01-31:95"
M2024 = milestones_parse(DEFAULT, year=2024)


def status(disbursed: str, on: dt.date, plan: str = "1000") -> ScheduleStatus:
    return schedule_status(plan=Decimal(plan), disbursed=Decimal(disbursed), on=on, year=2024, milestones=M2024)


def test_the_default_milestones_fall_in_the_year_and_in_january_of_the_next():
    assert [(m.due_on, m.percent) for m in M2024] == [
        (dt.date(2024, 6, 30), Decimal(30)),
        (dt.date(2024, 9, 30), Decimal(60)),
        (dt.date(2025, 1, 31), Decimal(95)),
    ]


def test_a_milestone_is_required_from_its_own_day_on():
    assert required_at(M2024, dt.date(2024, 6, 29)) == 0
    assert required_at(M2024, dt.date(2024, 6, 30)) == 30
    assert required_at(M2024, dt.date(2024, 9, 30)) == 60
    assert required_at(M2024, dt.date(2025, 1, 31)) == 95


def test_the_pace_is_a_straight_line_through_the_milestones():
    assert pace_at(M2024, dt.date(2024, 1, 1), year=2024) == 0
    assert pace_at(M2024, dt.date(2024, 6, 30), year=2024) == 30
    # 1 January to 30 June 2024 is 181 days; 1 April is day 91.
    assert pace_at(M2024, dt.date(2024, 4, 1), year=2024) == Decimal(30) * 91 / 181
    # Halfway from 30/6 (30 %) to 30/9 (60 %): 46 of 92 days.
    assert pace_at(M2024, dt.date(2024, 8, 15), year=2024) == 45
    assert pace_at(M2024, dt.date(2025, 3, 1), year=2024) == 95


def test_on_the_milestone_day_the_milestone_share_is_on_schedule_and_a_hair_less_is_behind():
    assert status("300", dt.date(2024, 6, 30)) is ScheduleStatus.ON_TRACK
    assert status("299.999", dt.date(2024, 6, 30)) is ScheduleStatus.BEHIND
    assert status("600", dt.date(2024, 9, 30)) is ScheduleStatus.ON_TRACK
    assert status("599", dt.date(2024, 9, 30)) is ScheduleStatus.BEHIND
    assert status("950", dt.date(2025, 1, 31)) is ScheduleStatus.ON_TRACK
    assert status("949", dt.date(2025, 1, 31)) is ScheduleStatus.BEHIND


def test_the_day_before_a_milestone_a_short_share_is_at_risk_not_yet_behind():
    # On 29/6 the pace is 30 × 180/181 ≈ 29,83 %.
    assert status("298", dt.date(2024, 6, 29)) is ScheduleStatus.AT_RISK
    assert status("299", dt.date(2024, 6, 29)) is ScheduleStatus.ON_TRACK
    assert status("299", dt.date(2024, 6, 30)) is ScheduleStatus.BEHIND
    assert status("100", dt.date(2024, 6, 29)) is ScheduleStatus.AT_RISK


def test_between_milestones_a_share_past_the_last_but_short_of_the_pace_is_at_risk():
    on = dt.date(2024, 8, 15)  # pace 45 %, last milestone 30 %
    assert status("450", on) is ScheduleStatus.ON_TRACK
    assert status("449", on) is ScheduleStatus.AT_RISK
    assert status("300", on) is ScheduleStatus.AT_RISK
    assert status("299", on) is ScheduleStatus.BEHIND


def test_without_a_plan_there_is_no_status_against_schedule():
    assert status("10", dt.date(2024, 8, 15), plan="0") is ScheduleStatus.NO_PLAN
    assert (
        schedule_status(plan=None, disbursed=Decimal(5), on=dt.date(2024, 8, 15), year=2024, milestones=M2024)
        is ScheduleStatus.NO_PLAN
    )


def test_the_shortfall_is_what_brings_the_project_back_to_the_pace():
    on = dt.date(2024, 8, 15)
    assert shortfall(plan=Decimal(1000), disbursed=Decimal(400), on=on, year=2024, milestones=M2024) == 50
    assert shortfall(plan=Decimal(1000), disbursed=Decimal(500), on=on, year=2024, milestones=M2024) == 0


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("06-30", "không phải là mốc giải ngân"),
        ("13-01:30", "không phải là mốc giải ngân"),
        ("+03-31:95", "chỉ được đặt trong tháng 1"),
        ("06-30:0", "lớn hơn 0 và không quá 100"),
        ("06-30:60;09-30:30", "không được có tỷ lệ thấp hơn"),
    ],
)
def test_a_milestone_setting_that_cannot_be_read_says_how_to_write_it(spec, words):
    with pytest.raises(MilestoneSpecError, match=words):
        milestones_parse(spec, year=2024)
