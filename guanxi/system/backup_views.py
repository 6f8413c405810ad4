"""The backups page of the system centre (SYS-1): list, back up now, progress, download."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from guanxi.core.errors import DomainError
from guanxi.core.permissions import require

from .backups import backup_file, backup_request
from .models import Backup

ACTIVE = (Backup.Status.QUEUED, Backup.Status.RUNNING)


def _context():
    backups = list(Backup.objects.select_related("requested_by")[:60])
    return {
        "backups": backups,
        "active": any(b.status in ACTIVE for b in backups),
        "encrypted": bool(settings.GUANXI_BACKUP_KEY),
        "keep_daily": settings.GUANXI_BACKUP_KEEP_DAILY,
        "keep_weekly": settings.GUANXI_BACKUP_KEEP_WEEKLY,
    }


@require("system.backup")
def backups(request):
    template = "system/_backup_table.html" if request.htmx else "system/backups.html"
    return render(request, template, _context())


@require("system.backup")
@require_POST
def backup_now(request):
    try:
        backup_request(actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("system:backups")


@require("system.backup")
def backup_download(request, pk):
    backup = get_object_or_404(Backup, pk=pk)
    path = backup_file(backup)
    if path is None:
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name,  # noqa: SIM115 - closed by Django
                        content_type="application/octet-stream")
