"""The life of an import job: upload, map and preview, run (resumable), report."""

import contextlib
import os
import shutil
import tempfile
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import imports, jobs
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .models import IMPORT_CANCELLABLE, ImportJob, ImportRowError, ImportStatus, SavedMapping
from .permissions import ensure


def job_for(user, pk):
    """A job is visible to the person who uploaded it."""
    from django.http import Http404

    job = ImportJob.objects.filter(pk=pk, created_by=user).first()
    if job is None:
        raise Http404
    return job


def import_upload(*, actor, entity, upload):
    """Check and store an uploaded file; return a job with a guessed column mapping."""
    importer = imports.importer_for(entity)
    if importer is None:
        raise NotFound()
    ensure(actor, importer.permission)
    if upload is None:
        raise imports.BadFile(_("Choose a file to upload."), field="file")
    limit = settings.IMPORT_MAX_UPLOAD
    if upload.size > limit:
        raise imports.BadFile(_("The file is larger than %(mb)d MB; split it.") % {"mb": limit // 2 ** 20},
                              field="file")
    head = upload.read(imports.HEAD)
    upload.seek(0)
    kind = imports.sniff(upload.name, head, complete=upload.size <= len(head))
    name = f"imports/{uuid.uuid4().hex}.{kind}"
    stored = default_storage.save(name, upload)
    try:
        with local_copy(stored) as path:
            if kind == "xlsx":
                imports.check_xlsx(path)
            header = imports.read_header(path, kind)
            total = imports.count_rows(path, kind)
    except Exception:
        default_storage.delete(stored)
        raise
    if total <= 0:
        default_storage.delete(stored)
        raise imports.BadFile(_("The file has a header but no rows to import."), field="file")
    mapping = {str(i): importer.guess(h) for i, h in enumerate(header)}
    saved = SavedMapping.objects.filter(owner=actor, entity=entity).order_by("-created_at").first()
    if saved:
        for index, text in enumerate(header):
            if text in saved.mapping:
                mapping[str(index)] = saved.mapping[text]
    return ImportJob.objects.create(
        entity=entity, created_by=actor, file_name=stored, original_name=os.path.basename(upload.name)[:255],
        kind=kind, size=upload.size, header=header, mapping=mapping, total_rows=total,
    )


class local_copy:
    """The stored file as a local path (object storage in production, disk when embedded)."""

    def __init__(self, name):
        self.name = name
        self.path = None

    def __enter__(self):
        try:
            self.path = default_storage.path(self.name)
            self.temporary = False
        except NotImplementedError:
            handle = tempfile.NamedTemporaryFile(delete=False)  # noqa: SIM115 - removed in __exit__
            with default_storage.open(self.name, "rb") as source:
                shutil.copyfileobj(source, handle)
            handle.close()
            self.path, self.temporary = handle.name, True
        return self.path

    def __exit__(self, *exc):
        if self.temporary and self.path:
            os.unlink(self.path)


def clean_mapping(job, raw):
    """Validate {column index: field key}: known fields, each at most once, required present."""
    importer = imports.importer_for(job.entity)
    known = {f.key for f in importer.fields}
    mapping, used = {}, set()
    errors = []
    for index in range(len(job.header)):
        key = (raw.get(str(index)) or "").strip()
        if not key:
            continue
        if key not in known:
            errors.append({"field": f"column_{index}", "message": _("Unknown field.")})
        elif key in used:
            errors.append({"field": f"column_{index}", "message": _("Two columns go to the same field.")})
        used.add(key)
        mapping[str(index)] = key
    for target in importer.fields:
        if target.required and target.key not in used:
            errors.append({"field": None, "message": _("Choose the column for “%(field)s”.") % {
                "field": target.label}})
    if errors:
        raise ValidationFailed(errors=errors)
    return mapping


def import_preview(*, actor, job, mapping, limit=20, options=None):
    """Validate the first rows without writing anything: [(line, record, errors)], with the
    decisions of the mapping step (``options``) as far as they are valid."""
    importer = imports.importer_for(job.entity)
    mapping = {int(k): v for k, v in clean_mapping(job, mapping).items()}
    if options:
        decided = {}
        for clean in (lambda: {"choices": clean_choices(job, actor, options.get("choices"))},
                      lambda: clean_owner(job, actor, options)):
            with contextlib.suppress(ValidationFailed):
                decided.update(clean())
        job.options = {**job.options, **decided}  # in memory only
    rows = []
    with local_copy(job.file_name) as path:
        for line, record in imports.mapped_rows(path, job.kind, mapping):
            rows.append((line, record))
            if len(rows) >= limit:
                break
    with transaction.atomic():
        checked = importer.write_batch(job, rows, dry_run=True)
        transaction.set_rollback(True)
    errors = {}
    for line, field_name, message in checked.errors:
        errors.setdefault(line, []).append((field_name, message))
    duplicates = {line: reason for line, _existing, reason in checked.duplicates}
    return [(line, record, errors.get(line, []), duplicates.get(line)) for line, record in rows]


MAX_UNKNOWN = 200  # distinct unknown values listed per field


def unknown_values(job, mapping):
    """[(ChoiceTarget, [(value, rows)])]: the values of list fields that name no item, most
    frequent first. Read from the whole file once per mapping of those columns (kept with
    the job)."""
    importer = imports.importer_for(job.entity)
    if importer.choice_targets is None:
        return []
    targets = {target.key: target for target in importer.choice_targets()}
    columns = {int(i): key for i, key in mapping.items() if key in targets}
    if not columns:
        return []
    signature = sorted(f"{i}:{key}" for i, key in columns.items())
    cached = job.options.get("unknown") or {}
    if cached.get("columns") == signature:
        found = cached["values"]
    else:
        counts = {}
        with local_copy(job.file_name) as path:
            for _line, record in imports.mapped_rows(path, job.kind, columns):
                for key, text in record.items():
                    target = targets[key]
                    for value in target.values(text):
                        if target.match(value) is None:
                            bucket = counts.setdefault(key, {})
                            if value in bucket or len(bucket) < MAX_UNKNOWN:
                                bucket[value] = bucket.get(value, 0) + 1
        found = {key: sorted(bucket.items(), key=lambda item: (-item[1], item[0])) for key, bucket in counts.items()}
        job.options = {**job.options, "unknown": {"columns": signature, "values": found}}
        ImportJob.objects.filter(pk=job.pk).update(options=job.options)
    return [(target, [tuple(pair) for pair in found[key]]) for key, target in targets.items() if found.get(key)]


def clean_choices(job, actor, raw):
    """Validate {field key: {value: "map:<code>" | "add" | "empty"}}."""
    importer = imports.importer_for(job.entity)
    targets = {t.key: t for t in importer.choice_targets()} if importer.choice_targets else {}
    cleaned, errors = {}, []
    for key, decisions in (raw or {}).items():
        target = targets.get(key)
        if target is None or not isinstance(decisions, dict):
            errors.append({"field": f"choice_{key}", "message": _("Unknown field.")})
            continue
        codes = {str(code) for code, _label in target.options}
        for value, decision in decisions.items():
            decision = str(decision or "empty")
            if decision == "add" and (target.add is None or not actor.has_module_perm(target.permission)):
                errors.append({"field": f"choice_{key}", "message": _(
                    "You may not add “%(value)s” to the list of %(field)s; map it or leave it empty.") % {
                    "value": value, "field": target.label}})
            elif decision.startswith("map:") and decision[4:] not in codes:
                errors.append({"field": f"choice_{key}", "message": _(
                    "Choose an item of the list of %(field)s for “%(value)s”.") % {
                    "value": value, "field": target.label}})
            elif decision not in ("add", "empty") and not decision.startswith("map:"):
                errors.append({"field": f"choice_{key}", "message": _("Unknown choice.")})
            else:
                cleaned.setdefault(key, {})[str(value)] = decision
    if errors:
        raise ValidationFailed(errors=errors)
    return cleaned


def owner_question(job, actor):
    importer = imports.importer_for(job.entity)
    return importer.owner_question(actor) if importer.owner_question else None


def clean_owner(job, actor, options):
    """Return {"default_owner": pk | "pool", "default_branch": pk} when the importer must
    choose (see Importer.owner_question), else {}."""
    question = owner_question(job, actor)
    if not question:
        return {}
    owner = str(options.get("default_owner") or "")
    branch = str(options.get("default_branch") or "")
    if owner == "pool":
        if branch not in {str(pk) for pk, _label in question["branches"]}:
            raise ValidationFailed(_("Choose the branch whose pool receives the customers."), field="default_branch")
        return {"default_owner": "pool", "default_branch": branch}
    if owner not in {str(pk) for pk, _label in question["owners"]}:
        raise ValidationFailed(_("You belong to no branch: choose who owns the imported rows without an owner, "
                                 "or put them in the pool of a branch."), field="default_owner")
    return {"default_owner": owner}


@transaction.atomic
def import_start(*, actor, job, mapping, options, save_as=""):
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != actor.pk:
        raise NotFound()
    if job.status != ImportStatus.UPLOADED:
        raise Conflict(_("This import has already started."))
    job.mapping = clean_mapping(job, mapping)
    job.options = {"on_duplicate": options.get("on_duplicate", "skip"),
                   "choices": clean_choices(job, actor, options.get("choices")),
                   **clean_owner(job, actor, options)}
    job.status = ImportStatus.QUEUED
    job.heartbeat_at = timezone.now()  # queued: the recovery task watches it from now (core.jobs)
    job.save(update_fields=["mapping", "options", "status", "heartbeat_at"])
    if save_as:
        by_header = {job.header[int(i)]: key for i, key in job.mapping.items()}
        SavedMapping.objects.update_or_create(owner=actor, entity=job.entity, name=save_as[:80],
                                              defaults={"mapping": by_header})
    from .tasks import run_import  # cycle: the tasks import this module

    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def import_cancel(*, actor, job):
    if job.created_by_id != actor.pk:
        raise Forbidden()
    ImportJob.objects.filter(pk=job.pk, status__in=IMPORT_CANCELLABLE).update(status=ImportStatus.CANCELLED)


def import_run(job_id):
    """Run (or resume) an import. Each batch commits with the checkpoint; safe to retry,
    and to run twice at once (a redelivered message): a batch is written only by the run
    that holds the checkpoint it started from."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return
    with jobs.heartbeat(ImportJob, job.pk):
        _run(job)


def _run(job):
    importer = imports.importer_for(job.entity)
    started = ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now(), started_at=job.started_at or timezone.now())
    if not started:
        return  # cancelled meanwhile
    mapping = {int(k): v for k, v in job.mapping.items()}
    job = _add_list_items(job, importer)
    try:
        with local_copy(job.file_name) as path:
            batch, done = [], job.next_row
            rows = imports.mapped_rows(path, job.kind, mapping, skip=job.next_row)
            batches = 0
            for line, record in rows:
                batch.append((line, record))
                if len(batch) >= imports.BATCH:
                    done = _commit_batch(job, importer, batch, done, last_line=line)
                    batch = []
                    if done is None:
                        return  # cancelled
                    batches += 1
                    if batches in (5, 25) or batches % 100 == 0:
                        _analyze(importer.tables)
            last_line = batch[-1][0] if batch else job.next_row + 1
            if batch and _commit_batch(job, importer, batch, done, last_line=last_line) is None:
                return
    except imports.BadFile as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, message=str(exc.message)[:500],
                                                   finished_at=timezone.now())
        return
    ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
        status=ImportStatus.DONE, finished_at=timezone.now(), next_row=job.total_rows)


def _add_list_items(job, importer):
    """Apply the "add it to the list" decisions once: each becomes "map:<code>" of the item
    added, in the transaction that adds it, so a re-run adds nothing twice."""
    choices = job.options.get("choices") or {}
    if not any(d == "add" for decisions in choices.values() for d in decisions.values()):
        return job
    targets = {t.key: t for t in importer.choice_targets()}
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        choices = job.options.get("choices") or {}
        for key, decisions in choices.items():
            for value, decision in decisions.items():
                if decision == "add" and key in targets:
                    decisions[value] = f"map:{targets[key].add(job.created_by, value)}"
        job.options = {**job.options, "choices": choices}
        job.save(update_fields=["options"])
    return job


def _analyze(tables):
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite's statistics are refreshed nightly (system.services.database_optimize)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')  # noqa: S608 - table names from code


def _commit_batch(job, importer, batch, done, last_line):
    """Write one batch and move the checkpoint in the same transaction; return the new
    checkpoint, or None when the job was cancelled or another run moved the checkpoint
    (a recovered job running twice: this run stops, nothing is written twice)."""
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        if current.status != ImportStatus.RUNNING or current.next_row != done:
            return None
        result = importer.write_batch(current, batch, dry_run=False)
        ImportRowError.objects.bulk_create([
            ImportRowError(job=current, line=line, field=field_name or "", message=str(message)[:500])
            for line, field_name, message in result.errors
        ] + [
            ImportRowError(job=current, line=line, field="duplicate",
                           message=_("Skipped: the same %(what)s as record #%(id)s.") % {
                               "what": _reason(reason), "id": existing or "?"})
            for line, existing, reason in result.duplicates if not result.merged_lines or line not in
            result.merged_lines
        ] + [  # notes on rows written all the same (a possible duplicate)
            ImportRowError(job=current, line=line, field=field_name, message=str(message)[:500])
            for line, field_name, message in getattr(result, "notes", ())
        ], batch_size=1000)
        rows_done = last_line - 1  # data rows up to this line (the header is line 1)
        error_lines = len({line for line, _f, _m in result.errors})
        ImportJob.objects.filter(pk=job.pk).update(
            next_row=rows_done, created_count=current.created_count + result.created,
            updated_count=current.updated_count + len(result.merged_lines or ()),
            duplicate_count=current.duplicate_count + len(result.duplicates) - len(result.merged_lines or ()),
            error_count=current.error_count + error_lines, heartbeat_at=timezone.now(),
        )
    return rows_done


def _reason(reason):
    return {"name": _("name"), "phone": _("phone number"), "email": _("e-mail")}.get(reason, reason)


def error_report(job):
    """Return CSV text: line, field, reason (for the download)."""
    rows = job.row_errors.order_by("line", "pk").values_list("line", "field", "message")
    return imports.rows_to_csv([_("Row"), _("Field"), _("Reason")], rows)
