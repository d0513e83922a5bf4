"""What changes the records of service to the people. This part: assigning a village's
officer (the history kept) and keeping its WeChat group."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengfa.core.attachments import IMAGE_TYPES, attach, attachments_of
from zhengfa.core.scope import grant_for
from zhengfa.org.models import Area, AreaLevel, Officer, OfficerStatus, Unit

from .models import VillageGroup, VillagePost

GROUP_CODE = "group-code"


def serves(unit: Unit, village: Area) -> bool:
    """Whether `unit` serves the village (the village or its township is among its areas)."""
    return unit.areas.filter(Q(pk=village.pk) | Q(pk=village.parent_id)).exists()


def current_post(village: Area) -> VillagePost | None:
    return (
        VillagePost.objects.filter(village=village, ends_on__isnull=True)
        .select_related("officer__user", "officer__unit")
        .first()
    )


@transaction.atomic
def post_assign(
    *,
    village: Area,
    officer: Officer,
    by: Any,
    starts_on: dt.date | None = None,
    duties: str = "",
    office_hours: str = "",
) -> VillagePost:
    """Make `officer` the village's officer from `starts_on`; the post he replaces ends the
    day before, and stays in the history."""
    starts_on = starts_on or timezone.localdate()
    if village.level != AreaLevel.VILLAGE:
        raise ValidationError({"village": _("Choose an administrative village.")})
    if not grant_for(by, "service", "change").covers(officer.unit):
        raise PermissionDenied
    if officer.status != OfficerStatus.ACTIVE:
        raise ValidationError({"officer": _("This officer is no longer serving.")})
    if not serves(officer.unit, village):
        raise ValidationError({"officer": _("This officer's unit does not serve the village.")})
    if starts_on > timezone.localdate() + dt.timedelta(days=60):
        raise ValidationError({"starts_on": _("Assign at most 60 days ahead.")})
    # The current post is held for the rest of the transaction: two assignments at once
    # cannot both end it.
    current = (
        VillagePost.objects.select_for_update()
        .filter(village=village, ends_on__isnull=True)
        .first()
    )
    if current is not None:
        if current.officer_id == officer.pk:
            raise ValidationError({"officer": _("This officer is already the village's officer.")})
        if starts_on <= current.starts_on:
            raise ValidationError(
                {
                    "starts_on": _("Start after the present officer's start (%(day)s).")
                    % {"day": current.starts_on}
                }
            )
        current.ends_on = starts_on - dt.timedelta(days=1)
        current.save(update_fields=["ends_on"])
    return VillagePost.objects.create(
        village=village,
        officer=officer,
        unit=officer.unit,
        starts_on=starts_on,
        duties=duties.strip(),
        office_hours=office_hours.strip(),
        by=by,
    )


@transaction.atomic
def post_end(*, post: VillagePost, by: Any, ends_on: dt.date | None = None) -> VillagePost:
    """End a post without a successor (the village then shows as not covered)."""
    if not grant_for(by, "service", "change").covers(post.unit):
        raise PermissionDenied
    ends_on = ends_on or timezone.localdate()
    if post.ends_on is not None:
        raise ValidationError(_("This post has already ended."))
    if ends_on < post.starts_on:
        raise ValidationError({"ends_on": _("The end cannot come before the start.")})
    post.ends_on = ends_on
    post.save(update_fields=["ends_on"])
    return post


def may_keep_group(user: Any, village: Area) -> bool:
    """The village's officer keeps its group; so do his unit's staff who hold the domain."""
    post = current_post(village)
    if post is None:
        return False
    return post.officer.user_id == getattr(user, "pk", None) or grant_for(
        user, "service", "change"
    ).covers(post.unit)


@transaction.atomic
def group_save(
    *,
    village: Area,
    by: Any,
    name: str,
    members: int,
    code_image: Any = None,
    code_expires_on: dt.date | None = None,
) -> VillageGroup:
    """The village group's name and size, and a new join code (a picture) with the day WeChat
    says it expires."""
    if not may_keep_group(by, village):
        raise PermissionDenied
    post = current_post(village)
    assert post is not None
    if not name.strip():
        raise ValidationError({"name": _("Give the group's name.")})
    if members < 0 or members > 100000:
        raise ValidationError({"members": _("Give the number of members.")})
    if code_image is not None and code_expires_on is None:
        raise ValidationError(
            {"code_expires_on": _("Say until when the join code is valid (WeChat shows it).")}
        )
    if code_expires_on is not None and code_expires_on < timezone.localdate():
        raise ValidationError({"code_expires_on": _("This date has passed.")})
    group, _created = VillageGroup.objects.get_or_create(
        village=village, defaults={"unit": post.unit, "name": name.strip()}
    )
    group.unit, group.name, group.members = post.unit, name.strip(), members
    if code_image is not None:
        attach(record=group, upload=code_image, by=by, purpose=GROUP_CODE, accept=IMAGE_TYPES)
        group.code_expires_on = code_expires_on
    elif code_expires_on is not None and group_code(group) is not None:
        group.code_expires_on = code_expires_on
    group.save()
    return group


def group_code(group: VillageGroup) -> Any:
    """The latest join code picture of a group (or None)."""
    return attachments_of(group, GROUP_CODE).order_by("-pk").first()
