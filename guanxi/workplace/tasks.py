from celery import shared_task

from .directives import directives_send_reminders
from .plans import plans_carry_over, plans_remind_unfinished
from .services import schedules_send_reminders


@shared_task(acks_late=True)
def send_schedule_reminders():
    return schedules_send_reminders()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def carry_over_plans():
    return plans_carry_over()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_unfinished_plans():
    return plans_remind_unfinished()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def directive_reminders():
    return directives_send_reminders()
