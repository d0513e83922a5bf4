"""Service to the people in the demo county. This part: every village assigned an officer
of its township's police station (from 2021-01-04, the officers taking the villages in
turn), and a village group for most villages with a join code valid for a week from the day
the demo is built."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengfa.core.attachments import IMAGE_TYPES, attach
from zhengfa.org.models import AreaLevel, Officer, OfficerStatus, Unit, UnitKind

from .models import DEFAULT_DUTIES, VillageGroup, VillagePost
from .services import GROUP_CODE

ASSIGNED_ON = dt.date(2021, 1, 4)
HOURS = ["每周二、周五上午在村委会", "每周一、周四下午在村委会", "每周三全天在村委会"]


def _stations(root: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(path__startswith=root.path, kind=UnitKind.POLICE_STATION)
        .prefetch_related("areas")
        .order_by("path")
    )


def _assign(
    stations: list[Unit], rng: random.Random
) -> tuple[list[VillagePost], list[VillageGroup]]:
    posts, groups = [], []
    today = timezone.localdate()
    for station in stations:
        villages = sorted(
            (a for a in station.areas.all() if a.level == AreaLevel.VILLAGE), key=lambda a: a.code
        )
        officers = list(
            Officer.objects.filter(unit=station, status=OfficerStatus.ACTIVE).order_by(
                "staff_number"
            )
        )
        if not officers:
            continue
        for i, village in enumerate(villages):
            posts.append(
                VillagePost(
                    village=village,
                    officer=officers[i % len(officers)],
                    unit=station,
                    starts_on=ASSIGNED_ON,
                    duties=str(DEFAULT_DUTIES),
                    office_hours=rng.choice(HOURS),
                )
            )
            if rng.random() < 0.85:
                groups.append(
                    VillageGroup(
                        village=village,
                        unit=station,
                        name=f"{village.name}警民联系群",
                        members=rng.randrange(80, 480),
                        code_expires_on=None
                        if rng.random() < 0.2
                        else today + dt.timedelta(days=7),
                    )
                )
    return posts, groups


def build(password: str) -> dict[str, int]:
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None or VillagePost.objects.exists():
        return {"village officers": 0, "village groups": 0}
    posts, groups = _assign(_stations(root), random.Random("service kangbao"))
    VillagePost.objects.bulk_create(posts, batch_size=500)
    VillageGroup.objects.bulk_create(groups, batch_size=500)
    for group in VillageGroup.objects.exclude(code_expires_on=None).select_related("village"):
        _code_picture(group)
    return {"village officers": len(posts), "village groups": len(groups)}


def _code_picture(group: VillageGroup) -> None:
    """A stand-in for the group's WeChat join code: a QR code of the group's name."""
    buffer = io.BytesIO()
    segno.make(f"demo:{group.name}", error="m").save(buffer, kind="png", scale=6, border=2)
    upload = SimpleUploadedFile("group-code.png", buffer.getvalue(), content_type="image/png")
    attach(record=group, upload=upload, by=None, purpose=GROUP_CODE, accept=IMAGE_TYPES)


def build_county(county: Any) -> dict[str, int]:
    """Every village of a synthetic county assigned; its groups without join codes (the
    pictures are the demo county's alone)."""
    root = county.unit("ZFW")
    posts, groups = _assign(_stations(root), county.rng)
    for group in groups:
        group.code_expires_on = None
    VillagePost.objects.bulk_create(posts, batch_size=500)
    VillageGroup.objects.bulk_create(groups, batch_size=500)
    return {"village officers": len(posts), "village groups": len(groups)}
