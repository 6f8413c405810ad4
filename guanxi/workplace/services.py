from django.utils.translation import gettext as _

from guanxi.core.errors import ValidationFailed
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, soft_delete, soft_restore, validated_save
from guanxi.org.scopes import ensure_in_scope

from .models import Note

NOTE_FIELDS = {"title", "body", "category"}


@service
def note_create(*, actor, title, body="", category="general"):
    ensure(actor, "workplace.create")
    if actor.branch_id is None:
        raise ValidationFailed(_("You are not assigned to a branch yet; ask an administrator."))
    note = Note(title=title, body=body, category=category, owner=actor, branch_id=actor.branch_id,
                created_by=actor)
    return validated_save(note)


@service
def note_update(*, actor, note, **data):
    ensure(actor, "workplace.edit")
    ensure_in_scope(actor, note)
    note = Note.objects.select_for_update().get(pk=note.pk)
    assign_fields(note, NOTE_FIELDS, data)
    return validated_save(note)


@service
def note_delete(*, actor, note):
    ensure(actor, "workplace.delete")
    ensure_in_scope(actor, note)
    soft_delete(note, actor=actor)


@service
def note_restore(*, actor, note):
    ensure(actor, "system.recycle")
    ensure_in_scope(actor, note)
    return soft_restore(note)


@service
def note_purge(*, actor, note):
    ensure(actor, "system.purge")
    ensure_in_scope(actor, note)
    note.delete()
