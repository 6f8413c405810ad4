"""Issue 11.5b/5c, SRV-3: starting flows never crashes; a failing step fails its own run
only; ``set`` steps are checked when a flow is published."""

import datetime

import pytest
from django.utils import timezone

from guanxi.core.errors import ValidationFailed
from guanxi.customers.services import customer_create
from guanxi.service import flows, services, tasks
from guanxi.service.flow_services import flow_publish
from guanxi.service.models import Flow, FlowRun, FlowVersion, RunStatus, TicketEntry

from .test_service_core import kind, severity


@pytest.fixture
def agent(demo_org):
    return demo_org["xuting"]  # a service agent


@pytest.fixture
def customer(demo_org):
    return customer_create(actor=demo_org["liuyang"], name="流程加固客户有限公司", email="kefu@jiagu.example")


def _ticket(agent, customer, subject, code="repair"):
    return services.ticket_create(actor=agent, subject=subject, ticket_type=kind(code), severity=severity("low"),
                                  customer=customer)


def test_start_flows_for_a_ticket_without_a_flow_does_not_raise(agent, customer):
    """SRV-3: the start job for a ticket no flow applies to answers None (was AttributeError)."""
    ticket = _ticket(agent, customer, "没有流程")
    assert tasks.start_flows(ticket.pk) is None
    assert tasks.start_flows(10**9) is None
    assert not FlowRun.objects.filter(ticket=ticket).exists()


def _legacy_flow(actor, steps, ticket_type):
    """A flow version saved before publish-time checks existed (bypasses ``clean_steps``)."""
    flow = Flow.objects.create(name="旧流程", ticket_type=ticket_type, is_active=True)
    flow.live_version = FlowVersion.objects.create(flow=flow, number=1, steps=steps, created_by=actor)
    flow.save()
    return flow


def test_a_step_failing_in_any_way_fails_its_run_only(agent, customer, demo_org,
                                                       django_capture_on_commit_callbacks):
    """SRV-3: a step that raises an unexpected error marks that run failed, with the error on
    the ticket; the resume job carries on with the other runs."""
    boss = demo_org["chenzhiqiang"]
    _legacy_flow(boss, [{"type": "wait", "hours": "1"}, {"type": "set", "field": "department", "value": "abc"}],
                 kind("repair"))
    _legacy_flow(boss, [{"type": "wait", "hours": "1"}, {"type": "notify", "target": "assignee"}],
                 kind("consultation"))
    with django_capture_on_commit_callbacks(execute=True):
        broken = _ticket(agent, customer, "坏步骤", "repair")
        healthy = _ticket(agent, customer, "好步骤", "consultation")
    assert flows.resume_due(now=timezone.now() + datetime.timedelta(days=7)) == 2
    broken_run, healthy_run = FlowRun.objects.get(ticket=broken), FlowRun.objects.get(ticket=healthy)
    assert broken_run.status == RunStatus.FAILED and broken_run.finished_at is not None
    assert healthy_run.status == RunStatus.DONE
    failure = TicketEntry.objects.filter(ticket=broken, kind="system").last()
    assert failure is not None and "set" in failure.body
    assert broken_run.log.filter(outcome="failed").exists()


def test_the_resume_job_survives_a_run_that_crashes_outside_its_steps(agent, customer, demo_org, monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    """SRV-3: whatever breaks while resuming one run (here: the interpreter itself) marks that
    run failed and the job goes on."""
    _legacy_flow(demo_org["chenzhiqiang"], [{"type": "wait", "hours": "1"}, {"type": "escalate"}], kind("repair"))
    with django_capture_on_commit_callbacks(execute=True):
        first = _ticket(agent, customer, "第一张")
        second = _ticket(agent, customer, "第二张")
    real_advance = flows.advance
    first_run = FlowRun.objects.get(ticket=first)

    def advance(run_id, now=None):
        if run_id == first_run.pk:
            raise RuntimeError("boom in the interpreter")
        return real_advance(run_id, now)

    monkeypatch.setattr(flows, "advance", advance)
    flows.resume_due(now=timezone.now() + datetime.timedelta(days=7))
    first_run.refresh_from_db()
    assert first_run.status == RunStatus.FAILED
    assert "boom in the interpreter" in TicketEntry.objects.filter(ticket=first, kind="system").last().body
    assert FlowRun.objects.get(ticket=second).status == RunStatus.DONE


@pytest.mark.parametrize("step", [
    {"type": "set", "field": "severity", "value": "no-such-severity"},
    {"type": "set", "field": "status", "value": "exploded"},
    {"type": "set", "field": "department", "value": "abc"},
    {"type": "set", "field": "department", "value": "999999"},
    {"type": "set", "field": "assignee", "value": "999999"},
    {"type": "set", "field": "password", "value": "x"},
])
def test_a_set_step_with_an_unknown_field_or_value_cannot_be_published(demo_org, step):
    """SRV-3: a ``set`` step is checked at publish time: a clear error, nothing saved."""
    with pytest.raises(ValidationFailed) as caught:
        flow_publish(actor=demo_org["chenzhiqiang"], name="坏设置", steps=[step])
    assert caught.value.errors and caught.value.errors[0]["field"].startswith("steps.1")
    assert not Flow.objects.exists()


def test_valid_set_steps_are_published(demo_org):
    """SRV-3: known fields with existing values publish."""
    department = demo_org["xuting"].department
    flow = flow_publish(actor=demo_org["chenzhiqiang"], name="好设置", steps=[
        {"type": "set", "field": "severity", "value": "high"},
        {"type": "set", "field": "status", "value": "open"},
        {"type": "set", "field": "department", "value": str(department.pk)},
        {"type": "set", "field": "assignee", "value": str(demo_org["xuting"].pk)}])
    assert len(flow.live_version.steps) == 4
