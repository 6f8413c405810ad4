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
