from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.models import SoftDeleteModel, TimeStampedModel
from guanxi.org.scopes import ScopePaths


class NoteCategory(models.TextChoices):
    GENERAL = "general", _("General")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    IDEA = "idea", _("Idea")


class Note(TimeStampedModel, SoftDeleteModel):
    """A working note kept by an employee; the sample business record of the scope matrix."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True, max_length=20000)
    category = models.CharField(_("category"), max_length=20, choices=NoteCategory.choices,
                                default=NoteCategory.GENERAL)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="notes")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT,
                               related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+", editable=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta(SoftDeleteModel.Meta):
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [
            models.Index(fields=["owner", "created_at"]),
            models.Index(fields=["branch", "created_at"]),
            models.Index(fields=["title"]),
            models.Index(fields=["deleted_at"], condition=models.Q(deleted_at__isnull=False),
                         name="note_deleted_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workplace:note_detail", args=[self.pk])


class Schedule(TimeStampedModel):
    """An appointment on someone's calendar (ACT-2), with an optional reminder."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="schedules")
    branch = models.ForeignKey("org.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="schedules")
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    remind_minutes_before = models.PositiveIntegerField(
        _("remind me (minutes before)"), null=True, blank=True,
        help_text=_("Leave empty for no reminder."))
    remind_by_email = models.BooleanField(_("also by e-mail"), default=False)
    remind_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    done = models.BooleanField(_("done"), default=False)

    scope_paths = ScopePaths(owner="owner", branch="branch")

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["owner", "starts_at"], name="schedule_owner_start"),
            models.Index(fields=["remind_at"], name="schedule_due_reminders",
                         condition=models.Q(reminded_at__isnull=True, remind_at__isnull=False)),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workplace:schedule_edit", args=[self.pk])
