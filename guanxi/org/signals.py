"""Signals other apps listen to (receivers are wired in their AppConfig.ready)."""

from django.dispatch import Signal

employee_moved = Signal()  # user, old_department, actor
employee_deactivated = Signal()  # user, actor
password_changed = Signal()  # user, actor: a new password was saved (by the user, a reset or an administrator)
