"""The choices of the public-investment register, each defined once: project groups, sectors,
stages, capital sources, kinds of allocation and decision, obstacles' categories, and a
project's status against the disbursement schedule."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectGroup(models.TextChoices):
    """Nhóm dự án (Luật Đầu tư công 2019, art. 7–10)."""

    NATIONAL = "national", _("Nationally important")
    A = "A", _("Group A")
    B = "B", _("Group B")
    C = "C", _("Group C")


class ProjectSector(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education and training")
    IRRIGATION = "irrigation", _("Agriculture and irrigation")
    URBAN = "urban", _("Urban infrastructure")
    ENVIRONMENT = "environment", _("Environment, water and drainage")
    CULTURE = "culture", _("Culture, sports and tourism")
    DIGITAL = "digital", _("Information technology")
    SECURITY = "security", _("Defence and security")
    GOVERNMENT = "government", _("Government offices")
    OTHER = "other", _("Other")


class ProjectStage(models.TextChoices):
    PREPARATION = "preparation", _("Investment preparation")
    IMPLEMENTATION = "implementation", _("Implementation")
    COMPLETED = "completed", _("Completed")
    SETTLED = "settled", _("Final settlement")


class CapitalSource(models.TextChoices):
    CENTRAL = "central", _("Central budget")
    PROVINCIAL = "provincial", _("Provincial budget")
    COMMUNE = "commune", _("Commune budget")
    ODA = "oda", _("ODA and foreign loans")
    LOTTERY = "lottery", _("Lottery revenue")
    LAND_USE = "land_use", _("Land-use revenue")
    OTHER = "other", _("Other sources")


class AllocationKind(models.TextChoices):
    """How a project's capital plan for a year changes: the plan assigned at the start of the
    year, an adjustment, a transfer between projects (one row out, one row in), or funds of the
    previous year's plan extended into this one."""

    INITIAL = "initial", _("Assigned at the start of the year")
    ADJUSTMENT = "adjustment", _("Adjustment")
    TRANSFER = "transfer", _("Transfer between projects")
    CARRYOVER = "carryover", _("Carried over from the previous year")


class DecisionKind(models.TextChoices):
    POLICY = "policy", _("Investment policy")
    APPROVAL = "approval", _("Project approval")
    ADJUSTMENT = "adjustment", _("Project adjustment")
    CAPITAL = "capital", _("Capital plan assignment")
    TRANSFER = "transfer", _("Capital transfer")
    SETTLEMENT = "settlement", _("Final settlement approval")
    OTHER = "other", _("Other decision")


class ObstacleCategory(models.TextChoices):
    SITE_CLEARANCE = "site_clearance", _("Site clearance and compensation")
    LAND = "land", _("Land")
    PROCEDURE = "procedure", _("Investment and construction procedures")
    CAPITAL = "capital", _("Capital")
    CONTRACTOR = "contractor", _("Contractor")
    DESIGN = "design", _("Design and technical issues")
    MATERIALS = "materials", _("Construction materials")
    OTHER = "other", _("Other")


class ScheduleStatus(models.TextChoices):
    """A project's (an investor's, the province's) disbursement against the milestones of the
    year, as at a date (``schedule.schedule_status``)."""

    ON_TRACK = "on_track", _("On schedule")
    AT_RISK = "at_risk", _("At risk of falling behind")
    BEHIND = "behind", _("Behind schedule")
    NO_PLAN = "no_plan", _("No capital plan")


class ProjectImportKind(models.TextChoices):
    """What a file of the register brings in (``imports.py``)."""

    REGISTER = "register", _("Project register")
    DISBURSEMENT = "disbursement", _("Monthly disbursement (State Treasury)")


class ProjectImportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    OC4IDS = "oc4ids", _("OC4IDS project package (JSON)")
