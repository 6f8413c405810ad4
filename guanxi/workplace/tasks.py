from celery import shared_task


@shared_task(acks_late=True)
def send_schedule_reminders():
    from .services import schedules_send_reminders

    return schedules_send_reminders()
