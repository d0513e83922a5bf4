"""Background tasks of the service module (django-tasks). Each can run twice without harm."""

from __future__ import annotations

from django_tasks import task


@task()
def remind_appointments() -> str:
    """The day-before text message to everyone booked for tomorrow (once each)."""
    from .services import remind_tomorrow

    return f"reminded {remind_tomorrow()}"


@task()
def remind_group_codes() -> str:
    """Tell each village's officer when the group's join code expires tomorrow or has
    expired (once per code)."""
    from .services import remind_group_codes as remind

    return f"reminded {remind()}"
