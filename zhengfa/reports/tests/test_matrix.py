"""Every staff view of reports: success, wrong method, read-only (403); another unit asked
for answers 404 (``test_dashboard.DashboardTests``)."""

from __future__ import annotations

from zhengfa.core.testing import ViewCase
from zhengfa.org.testing import MatrixTestCase


class ReportsMatrix(MatrixTestCase):
    cases = [
        ViewCase(
            "reports:dashboard",
            ok=["committee", "leader_a", "clerk_a"],
            query="start=2021-02-27&end=2021-04-15",
            no_scope="each person sees his own units; another unit asked for: see DashboardTests",
            read_only=["officer_a", "mediator"],
        ),
        ViewCase(
            "reports:drill",
            ok=["committee", "leader_a"],
            args=lambda t: ["service.volunteer_activities"],
            no_scope="each person sees his own units; another unit asked for: see DashboardTests",
            read_only=["officer_a"],
        ),
        ViewCase(
            "reports:brief",
            ok=["committee", "leader_a"],
            no_scope="each person sees his own units; another unit asked for: see DashboardTests",
            read_only=["officer_a", "supervision"],
        ),
        ViewCase(
            "reports:brief_docx",
            ok=["committee"],
            no_scope="each person sees his own units; another unit asked for: see DashboardTests",
            read_only=["officer_a"],
        ),
    ]
