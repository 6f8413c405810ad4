"""Writes of service configuration: handling flows (publishing a version) and service levels."""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from guanxi.core import picklists
from guanxi.core.errors import ValidationFailed
from guanxi.core.permissions import ensure
from guanxi.core.services import service, validated_save

from . import flows
from .models import Flow, ServiceLevel, ServiceSettings


@service
def flow_publish(*, actor, name, steps, flow=None, ticket_type=None, severity=None, is_active=True):
    """Save a flow's name and scope and publish its steps as a new live version."""
    ensure(actor, "service.manage")
    if steps is None:
        raise ValidationFailed(_("The steps could not be read; reload the editor."), field="steps")
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationFailed(_("Name the flow."), field="name")
    flow = flow or Flow()
    flow.name, flow.ticket_type, flow.severity, flow.is_active = name, ticket_type, severity, is_active
    validated_save(flow)
    flows.publish(flow, steps, actor)
    flow.refresh_from_db()
    return flow


@service
def levels_save(*, actor, rows):
    """Replace the service levels with ``rows`` [(type pk or None, severity pk, response, resolution)]."""
    ensure(actor, "service.manage")
    types = {str(i.pk): i for i in picklists.items("service.ticket_type")}
    severities = {str(i.pk): i for i in picklists.items("service.severity")}
    cleaned, errors, seen = [], [], set()
    for index, (type_pk, severity_pk, response, resolution) in enumerate(rows, start=1):
        ticket_type = types.get(str(type_pk)) if type_pk else None
        severity = severities.get(str(severity_pk))
        try:
            response, resolution = Decimal(str(response)), Decimal(str(resolution))
        except (InvalidOperation, ValueError):
            response = resolution = Decimal("-1")
        if severity is None or (type_pk and ticket_type is None):
            errors.append({"field": f"rows.{index}", "message": _("Choose the type and severity.")})
        elif not (Decimal("0") <= response <= resolution <= Decimal("10000")):
            errors.append({"field": f"rows.{index}", "message": _(
                "Hours from 0; the resolution target not before the response target.")})
        elif (type_pk, severity_pk) in seen:
            errors.append({"field": f"rows.{index}", "message": _("Each type and severity once, please.")})
        seen.add((type_pk, severity_pk))
        cleaned.append((ticket_type, severity, response, resolution))
    if errors:
        raise ValidationFailed(errors=errors)
    ServiceLevel.objects.all().delete()
    for ticket_type, severity, response, resolution in cleaned:
        ServiceLevel.objects.create(ticket_type=ticket_type, severity=severity, response_hours=response,
                                    resolution_hours=resolution)
    return cleaned


@service
def service_settings_save(*, actor, work_days, day_starts, day_ends, survey_after_close=True,
                          care_follow_up_days=7):
    """Business hours, surveys and after-sales follow-up (one set for the company); holidays
    and make-up working days are the company calendar's (core.business_calendar)."""

    ensure(actor, "service.manage")
    days = sorted({int(d) for d in work_days if str(d).isdigit() and 1 <= int(d) <= 7})
    if not days:
        raise ValidationFailed(_("Choose at least one working day."), field="work_days")
    if day_ends <= day_starts:
        raise ValidationFailed(_("The day ends after it starts."), field="day_ends")
    settings = ServiceSettings.objects.select_for_update().first() or ServiceSettings()
    settings.work_days = ",".join(str(d) for d in days)
    settings.day_starts, settings.day_ends = day_starts, day_ends
    settings.survey_after_close, settings.care_follow_up_days = survey_after_close, care_follow_up_days
    return validated_save(settings)
