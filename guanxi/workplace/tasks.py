from celery import shared_task


@shared_task(acks_late=True)
def send_schedule_reminders():
    from .services import schedules_send_reminders

    return schedules_send_reminders()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def carry_over_plans():
    from .plans import plans_carry_over

    return plans_carry_over()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def remind_unfinished_plans():
    from .plans import plans_remind_unfinished

    return plans_remind_unfinished()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def directive_reminders():
    from .directives import directives_send_reminders

    return directives_send_reminders()
