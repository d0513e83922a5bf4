"""What core itself plugs in: the audit log page and the housekeeping jobs."""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import may_read_audit
from .jobs import daily, hourly_between
from .navigation import Pillar
from .registry import (
    STAFF,
    Audited,
    BenchPage,
    NavItem,
    PeriodicJob,
    Plugin,
    Todo,
    Workbench,
)


def _unread_notices(user: Any) -> list[Todo]:
    from django.urls import reverse

    from .notifications import unread_count

    return [Todo(_("Unread notices"), unread_count(user), reverse("core:notification_list"))]


def _deadlines() -> object:
    from .tasks import notify_deadlines_task

    return notify_deadlines_task.enqueue()


def _clear_sessions() -> object:
    from .tasks import clear_sessions_task

    return clear_sessions_task.enqueue()


def _resend_sms() -> object:
    from .tasks import resend_stalled_sms

    return resend_stalled_sms.enqueue()


def _sweep_files() -> object:
    from .tasks import sweep_orphan_files_task

    return sweep_orphan_files_task.enqueue()


PLUGIN = Plugin(
    name="core",
    # The audit domain's grants name roles, which the org app defines: org declares them.
    navigation=[
        NavItem(
            pillar=Pillar.SYSTEM,
            label=_("Audit log"),
            url_name="core:audit_list",
            domain="audit",
            allowed=may_read_audit,
            order=90,
        ),
    ],
    workbench=[Workbench(_unread_notices, order=900)],
    jobs=[
        PeriodicJob("notify_deadlines", _deadlines, daily),
        PeriodicJob("clear_sessions", _clear_sessions, daily),
        PeriodicJob("sweep_orphan_files", _sweep_files, daily),
        PeriodicJob("resend_stalled_sms", _resend_sms, hourly_between(0, 23)),
    ],
    # Who enrolled an authenticator and who removed one; never the secret.
    audited=[
        Audited(
            TOTPDevice,
            {
                "include_fields": ["user", "name", "confirmed"],
            },
        )
    ],
    bench_pages=[
        BenchPage("/staff/", who=STAFF),
        # The floor of every staff page: the layout, the menu and an empty list (the station
        # officer has no notices in the demo).
        BenchPage("/staff/notifications/", who=("pcs_a",)),
        # The trail is the whole site's: its root committee's alone.
        BenchPage(
            "/staff/audit/",
            who=("zfw", "zfw_province"),
            root_only=True,
            main_query=lambda user: LogEntry.objects.select_related(
                "actor", "content_type"
            ).order_by("-timestamp")[:50],
        ),
    ],
)
