from django.db.models import Q
from django.urls import reverse

from guanxi.core.search import SearchHit
from guanxi.org.scopes import get_scoped, scoped

from .models import Note


def notes_visible_to(user):
    # Prefetch, not select_related: a join lets the planner start from the small joined
    # table and sort every note, instead of walking the (…, created_at) index.
    return scoped(Note.objects.prefetch_related("owner", "branch"), user)


def note_get(user, pk):
    return get_scoped(Note.objects.select_related("owner", "branch", "created_by"), user, pk=pk)


def notes_search(user, q):
    return notes_visible_to(user).filter(Q(title__icontains=q) | Q(body__icontains=q))


def notes_search_hits(user, q, limit):
    return [
        SearchHit(label=note.title, url=reverse("workplace:note_detail", args=[note.pk]), kind=str(Note._meta.verbose_name),
                  detail=str(note.owner))
        for note in notes_search(user, q).order_by("-created_at")[:limit]
    ]


def notes_deleted_visible_to(user):
    return scoped(Note.all_objects.filter(deleted_at__isnull=False).select_related("owner", "deleted_by"), user)
