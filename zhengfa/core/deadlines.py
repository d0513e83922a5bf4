"""The daily deadline job: tell owners of records that are due soon or overdue.

Every model that derives from ``WorkflowModel`` and names a ``deadline_owner_field`` takes
part. Each notice carries a key (record, kind, due date), so running the job twice — or on
two workers — notifies nobody twice; a new due date makes a new notice.
"""

from __future__ import annotations

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification
from .workflow import WorkflowModel


def notify_deadlines() -> str:
    now = timezone.now()
    notices: list[Notification] = []
    for model in apps.get_models():
        if not issubclass(model, WorkflowModel) or not model.deadline_owner_field:
            continue
        owner = model.deadline_owner_field
        manager = model._default_manager
        waiting = model.workflow.paused
        soon = manager.due_within(model.workflow.due_soon_days, now).exclude(state__in=waiting)  # type: ignore[attr-defined]
        late = manager.overdue(now).exclude(state__in=waiting)  # type: ignore[attr-defined]
        for kind, qs in (("overdue", late), ("due_soon", soon)):
            for record in qs.exclude(**{f"{owner}__isnull": True}).select_related(owner):
                user = getattr(record, owner)
                if user is None or not user.is_active:
                    continue
                title = (
                    _("Overdue: %(record)s") if kind == "overdue" else _("Due soon: %(record)s")
                ) % {"record": record}
                url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
                notices.append(
                    Notification(
                        user=user,
                        title=title[:200],
                        url=url,
                        body=_("Due %(due)s")
                        % {"due": timezone.localtime(record.due_at).strftime("%Y-%m-%d %H:%M")},
                        key=f"deadline:{model._meta.label_lower}:{record.pk}:{kind}:{record.due_at:%Y%m%d%H%M}",
                    )
                )
    before = Notification.objects.count()
    Notification.objects.bulk_create(notices, ignore_conflicts=True)
    return f"{Notification.objects.count() - before} new notices"
