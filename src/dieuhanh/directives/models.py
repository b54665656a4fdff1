"""The register of directives (nhiệm vụ được giao): source documents, directives, progress, reminders.

Status is not stored as a label: it follows from a few stored dates (the deadline, the next
due date, the completion date) and today's date, by the rules in ``status.py``. The stored
dates are kept by the services in ``services.py``, never by views or signals.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import acting_user_field
from dieuhanh.directives.choices import LeadGroup, Recurrence, ReviewState, SourceKind


class SourceDocument(models.Model):
    """A text that hands out directives: a Thông báo kết luận, a Chỉ thị, a Công văn, a Kế hoạch …

    ``org_unit`` is the administrative unit whose government issued it (the province): the
    province-wide scorecard figures of its directives are written to that unit.
    """

    kind = models.CharField(_("kind"), max_length=32, choices=SourceKind.choices, default=SourceKind.CONCLUSION_NOTICE)
    number = models.CharField(_("number"), max_length=64, blank=True, help_text=_("e.g. 412/TB-UBND"))
    date = models.DateField(_("date"))
    issuer = models.CharField(_("issuer"), max_length=200, blank=True, help_text=_("e.g. Chủ tịch UBND tỉnh"))
    title = models.CharField(_("title"), max_length=500, blank=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("issuing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="directive_sources",
    )
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to="directives/sources/%Y/", blank=True, max_length=255)
    created_by = acting_user_field(_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "date"], condition=~Q(number=""), name="directives_source_number_date"
            )
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        # As offices write dates: 20/7/2023.
        day = f"{self.date.day}/{self.date.month}/{self.date.year}"
        return f"{label} {self.number} ({day})" if self.number else f"{label} ({day})"


class Directive(models.Model):
    """One directive: what is to be done, who leads, who coordinates, by when.

    A directive given to a group ("UBND các huyện, thị xã, thành phố …") is a parent with
    ``lead_group`` set and one child per member unit, each led by that unit; the parent's
    dates summarise its children's. A recurring directive (monthly on day N, quarterly) is due
    again and again: ``due_date`` is its earliest occurrence not yet reported done. A
    continuous one has no due date.
    """

    source = models.ForeignKey(
        SourceDocument, verbose_name=_("source document"), on_delete=models.PROTECT, related_name="directives"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent directive"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    content = models.TextField(_("content"))
    source_sentence = models.TextField(_("source sentence"), blank=True)
    lead_agency = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("lead agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_directives",
    )
    lead_group = models.CharField(_("lead group"), max_length=32, choices=LeadGroup.choices, blank=True)
    coordinating_agencies = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name=_("coordinating agencies"), blank=True, related_name="coordinated_directives"
    )
    # The agencies as the source text names them, kept beside the catalogue's units: an agency the
    # catalogue does not know is still named, and the register shows what the text said.
    lead_agency_text = models.TextField(_("lead agency as written"), blank=True, editable=False)
    coordinating_agencies_text = models.TextField(
        _("coordinating agencies as written"), blank=True, editable=False, help_text=_("Names separated by “; ”.")
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=16, choices=Recurrence.choices, blank=True)
    recurrence_day = models.PositiveSmallIntegerField(
        _("day of the month"), null=True, blank=True, help_text=_("For monthly directives; 31 means the last day.")
    )
    starts_on = models.DateField(_("assigned on"))
    ends_on = models.DateField(_("recurs until"), null=True, blank=True)
    due_date = models.DateField(_("next due date"), null=True, blank=True, editable=False, db_index=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    completed_late = models.BooleanField(_("completed late"), default=False, editable=False)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, editable=False)
    created_by = acting_user_field(_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["source_id", "position", "id"]
        permissions = [("confirm_directive", _("Can confirm or return a directive's completion report"))]
        indexes = [
            models.Index(fields=["lead_agency", "due_date"], name="directive_lead_due"),
            models.Index(fields=["completed_on"], name="directive_completed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(recurrence="monthly") | Q(recurrence_day__gte=1, recurrence_day__lte=31),
                name="directive_monthly_has_day",
            ),
            models.CheckConstraint(
                condition=Q(recurrence="") | Q(deadline__isnull=True), name="directive_recurring_has_no_deadline"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="directive_progress_range"),
        ]

    def __str__(self) -> str:
        text = self.content if len(self.content) <= 80 else self.content[:79] + "…"
        return f"#{self.pk} {text}"

    @property
    def is_recurring(self) -> bool:
        return self.recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY)


class ProgressUpdate(models.Model):
    """What the lead agency reports: how far along (percent), what was done, with evidence.

    A report of 100 % is a completion report: the office confirms it (the directive is then
    done, on the report's date) or returns it. For a recurring directive each completion report
    answers one occurrence, ``occurrence_due``.
    """

    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), on_delete=models.CASCADE, related_name="updates"
    )
    reported_on = models.DateField(_("reported on"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("report"))
    occurrence_due = models.DateField(_("for the occurrence due"), null=True, blank=True)
    review = models.CharField(_("review"), max_length=16, choices=ReviewState.choices, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    reviewed_by = acting_user_field(_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_by = acting_user_field(_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["reported_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_update_percent_range")]

    def __str__(self) -> str:
        return f"{self.directive_id}: {self.percent}% ({self.reported_on:%d/%m/%Y})"


class EvidenceFile(models.Model):
    """A file attached to a progress update (minutes, a photo, the signed report)."""

    update = models.ForeignKey(
        ProgressUpdate, verbose_name=_("update"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to="directives/evidence/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AgencyContact(models.Model):
    """A focal point of an agency for directives: reports progress for it, receives its reminders.

    A contact is a user of the system (in-app notifications and e-mail to their address), or
    only an e-mail address.
    """

    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="directive_contacts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="directive_contacts",
    )
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Leave empty to use the user's address."))
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("agency contact")
        verbose_name_plural = _("agency contacts")
        ordering = ["org_unit__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "user"], name="agency_contact_unique_user"),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(email=""), name="agency_contact_reachable"),
        ]

    def __str__(self) -> str:
        who = self.name or (self.user.get_username() if self.user else self.email)
        return f"{who} ({self.org_unit.code})"

    @property
    def address(self) -> str:
        return self.email or (self.user.email if self.user else "")


class Reminder(models.Model):
    """A reminder sent before a due date; one per directive, due date and lead time, ever."""

    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), on_delete=models.CASCADE, related_name="reminders"
    )
    due_date = models.DateField(_("due date"))
    days_before = models.PositiveSmallIntegerField(_("days before"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "due_date", "days_before"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.directive_id} −{self.days_before}d ({self.due_date:%d/%m/%Y})"


class Notification(models.Model):
    """A message in a user's in-app inbox (a reminder, a returned report …)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="directive_notifications",
    )
    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(_("message"), max_length=500)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message


class DirectiveTransfer(models.Model):
    """A directive handed from one agency to another from a date, by the office: where an agency
    was split (a part succession), its directives are not carried until someone says where each
    goes. One row a hand-over, kept as its record (who, when, why); the directive's recorded lead
    stays, so its history before the date is unchanged."""

    directive = models.ForeignKey(
        Directive, verbose_name=_("directive"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("from agency"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("to agency"), on_delete=models.PROTECT, related_name="directives_received"
    )
    effective_date = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = acting_user_field(_("by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("directive transfer")
        verbose_name_plural = _("directive transfers")
        ordering = ["effective_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["directive", "effective_date"], name="directive_transfer_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"#{self.directive_id}: {self.from_unit_id} → {self.to_unit_id} ({self.effective_date:%d/%m/%Y})"
