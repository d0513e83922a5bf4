"""Every staff view of study: success, wrong method, out of scope (404), read-only (403)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from zhengfa.core.testing import ViewCase
from zhengfa.org.testing import MatrixTestCase
from zhengfa.study import qr, services
from zhengfa.study.models import (
    Activity,
    ActivityType,
    Distribution,
    Material,
    Reflection,
    Topic,
)
from zhengfa.study.tests.factories import activity_for_unit_a

OWN_SCOPE = "a list shows each person what his roles reach"
CREATE = "nothing to be out of: people who organise nowhere get 403"


def _photo(t: Any) -> dict[str, Any]:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="JPEG")
    return {"attachments": SimpleUploadedFile("p.jpg", out.getvalue())}


def _held(t: Any) -> list[int]:
    return [t.held.pk]


class StudyMatrix(MatrixTestCase):
    upcoming: Activity
    held: Activity
    material: Material
    distribution: Distribution
    topic: Topic
    reflection: Reflection
    county_activity: Activity
    county_material: Material

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        p = cls.p
        cls.upcoming = activity_for_unit_a(p)
        cls.held = activity_for_unit_a(p, starts_in_minutes=-30, held=True)
        services.sign_in_by_hand(activity=cls.held, officers=[p.officer_a_profile], by=p.leader_a)
        cls.material = services.material_create(
            by=p.leader_a, unit=p.unit_a, title="学习资料汇编", online_text="<p>要点</p>"
        )
        cls.distribution = services.distribution_record(
            material=cls.material,
            unit=p.unit_a,
            copies=20,
            distributed_on=timezone.localdate(),
            by=p.leader_a,
        )
        # Held above the stations: seen there, changed only by the county.
        start = timezone.now() + dt.timedelta(days=1)
        cls.county_activity = services.activity_save(
            by=p.committee,
            title="全县政法干警大会",
            type=ActivityType.objects.get(code="meeting"),
            unit=p.root,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            audience_units=[(p.root, True)],
        )
        cls.county_material = services.material_create(
            by=p.committee, unit=p.root, title="全县学习读本", online_text="<p>读本</p>"
        )
        cls.topic = services.topic_create(
            by=p.leader_a,
            unit=p.unit_a,
            title="对照五个过硬查不足",
            prompt="",
            due_on=timezone.localdate() + dt.timedelta(days=7),
        )
        cls.reflection = services.reflection_submit(
            topic=cls.topic,
            user=p.officer_a,
            shortcomings="理论学习不够系统深入。",
            plans="每周集中学习两次以上。",
        )

    cases = [
        ViewCase("study:my_study", ok=["officer_a", "leader_a"], out_of_scope=["sysadmin"]),
        ViewCase("study:activity_list", ok=["committee", "officer_a"], no_scope=OWN_SCOPE),
        ViewCase(
            "study:activity_create",
            ok=["leader_a", "committee"],
            allowed=["post"],
            no_scope=CREATE,
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:activity_detail",
            ok=["leader_a", "officer_a", "committee"],
            args=lambda t: [t.upcoming.pk],
            out_of_scope=["officer_b", "leader_b"],
        ),
        ViewCase(
            "study:activity_edit",
            ok=["leader_a"],
            args=lambda t: [t.upcoming.pk],
            allowed=["post"],
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:activity_edit",
            name="study:activity_edit (held above)",
            ok=["committee"],
            args=lambda t: [t.county_activity.pk],
            allowed=["post"],
            no_scope="everyone below sees a county activity",
            read_only=["leader_a", "leader_b", "clerk_a", "officer_a"],
        ),
        ViewCase(
            "study:activity_cancel",
            name="study:activity_cancel (held above)",
            ok=["committee"],
            args=lambda t: [t.county_activity.pk],
            method="post",
            data=lambda t: {"reason": "改期"},
            no_scope="everyone below sees a county activity",
            read_only=["leader_a", "leader_b"],
        ),
        ViewCase(
            "study:activity_cancel",
            ok=["leader_a"],
            args=lambda t: [t.upcoming.pk],
            method="post",
            data=lambda t: {"reason": "停电"},
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:activity_qr",
            ok=["leader_a"],
            args=lambda t: [t.upcoming.pk],
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:activity_qr_code",
            ok=["leader_a"],
            args=lambda t: [t.upcoming.pk],
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:attendance",
            ok=["leader_a"],
            args=_held,
            allowed=["post"],
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:record_leave",
            ok=["leader_a"],
            args=_held,
            method="post",
            data=lambda t: {"officer": t.p.leader_a.officer.staff_number, "reason": "出警"},
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:note",
            ok=["officer_a"],
            args=_held,
            method="post",
            data=lambda t: {"text": "学习笔记"},
            out_of_scope=["officer_b", "leader_b"],
        ),
        ViewCase(
            "study:speech",
            ok=["leader_a"],
            args=_held,
            method="post",
            data=lambda t: {"speaker": "甲所长", "summary": "谈体会"},
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:photos",
            ok=["leader_a"],
            args=_held,
            method="post",
            data=_photo,
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:minutes",
            ok=["leader_a"],
            args=_held,
            method="post",
            data=lambda t: {"text": "会议记录"},
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:checkin",
            ok=["officer_a"],
            args=lambda t: [t.upcoming.pk, qr.token_for(t.upcoming)],
            allowed=["post"],
            no_scope="the code on the screen is the permission; a forged one answers 400",
        ),
        ViewCase("study:material_list", ok=["committee", "officer_a"], no_scope=OWN_SCOPE),
        ViewCase(
            "study:material_create",
            ok=["leader_a"],
            allowed=["post"],
            no_scope=CREATE,
            read_only=["officer_a"],
        ),
        ViewCase("study:distribution_list", ok=["leader_a", "officer_a"], no_scope=OWN_SCOPE),
        ViewCase(
            "study:distribution_confirm",
            ok=["leader_a"],
            args=lambda t: [t.distribution.pk],
            method="post",
            data=lambda t: {"received_by": "甲内勤"},
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:material_detail",
            ok=["leader_a", "officer_a"],
            args=lambda t: [t.material.pk],
            out_of_scope=["officer_b", "leader_b"],
        ),
        ViewCase(
            "study:material_distribute",
            ok=["leader_a"],
            args=lambda t: [t.material.pk],
            method="post",
            data=lambda t: {
                "unit": t.p.unit_a.pk,
                "copies": 5,
                "distributed_on": timezone.localdate().isoformat(),
            },
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:material_distribute",
            name="study:material_distribute (held above)",
            ok=["committee"],
            args=lambda t: [t.county_material.pk],
            method="post",
            data=lambda t: {
                "unit": t.p.unit_b.pk,
                "copies": 5,
                "distributed_on": timezone.localdate().isoformat(),
            },
            no_scope="everyone below sees a county material",
            read_only=["leader_a", "leader_b"],
        ),
        ViewCase(
            "study:material_studied",
            ok=["officer_a"],
            args=lambda t: [t.material.pk],
            method="post",
            data=lambda t: {"note": "学了要点"},
            out_of_scope=["officer_b", "leader_b"],
        ),
        ViewCase("study:topic_list", ok=["committee", "officer_a"], no_scope=OWN_SCOPE),
        ViewCase(
            "study:topic_create",
            ok=["leader_a"],
            allowed=["post"],
            no_scope=CREATE,
            read_only=["officer_a"],
        ),
        ViewCase(
            "study:topic_detail",
            ok=["leader_a", "officer_a"],
            args=lambda t: [t.topic.pk],
            out_of_scope=["officer_b", "leader_b"],
        ),
        ViewCase(
            "study:reflection_submit",
            ok=["officer_a"],
            args=lambda t: [t.topic.pk],
            method="post",
            data=lambda t: {
                "shortcomings": "联系群众不够紧密,调研太少。",
                "plans": "每月走访十户群众并记录。",
            },
            out_of_scope=["officer_b", "leader_b"],
        ),
        ViewCase(
            "study:reflection_detail",
            ok=["officer_a", "leader_a", "clerk_a"],
            args=lambda t: [t.reflection.pk],
            allowed=["post"],
            out_of_scope=["officer_b", "leader_b", "supervision"],
        ),
        ViewCase(
            "study:reflection_detail",
            name="study:reflection_detail (comment)",
            ok=["leader_a"],
            args=lambda t: [t.reflection.pk],
            method="post",
            allowed=["get"],
            data=lambda t: {"text": "认识深刻。"},
            out_of_scope=["officer_b", "leader_b"],
            read_only=["officer_a"],
        ),
        ViewCase("study:records", ok=["leader_a", "committee"], out_of_scope=["officer_a"]),
        ViewCase("study:records_export", ok=["leader_a"], out_of_scope=["officer_a"]),
        ViewCase(
            "study:officer_record",
            ok=["leader_a", "officer_a", "committee"],
            args=lambda t: [t.p.officer_a_profile.pk],
            out_of_scope=["officer_b", "leader_b"],
        ),
    ]
