"""Every staff view of the service module: success, wrong method, out of scope (404),
read-only (403)."""

from __future__ import annotations

from zhengfa.core.testing import ViewCase
from zhengfa.org.models import Area
from zhengfa.org.testing import MatrixTestCase
from zhengfa.service import services

from .factories import villages


class ServiceMatrix(MatrixTestCase):
    east: Area

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.east, _west = villages(cls.p)
        services.post_assign(village=cls.east, officer=cls.p.officer_a_profile, by=cls.p.leader_a)

    cases = [
        ViewCase(
            "service:coverage",
            ok=["leader_a", "committee"],
            no_scope="each sees the villages of his units",
            read_only=["mediator"],
        ),
        ViewCase(
            "service:assign",
            ok=["leader_a", "clerk_a"],
            args=lambda t: [t.east.pk],
            allowed=["post"],
            out_of_scope=["leader_b", "officer_b", "mediator"],
            read_only=["committee"],
        ),
        ViewCase(
            "service:group_edit",
            ok=["officer_a", "leader_a"],
            args=lambda t: [t.east.pk],
            allowed=["post"],
            out_of_scope=["leader_b", "officer_b"],
            read_only=["committee"],
        ),
    ]
