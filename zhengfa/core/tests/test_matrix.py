"""Core's staff views: the workbench, notifications, the audit log, files and revealing."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from zhengfa.core.attachments import attach
from zhengfa.core.models import Attachment
from zhengfa.core.notifications import notify
from zhengfa.core.testing import ViewCase
from zhengfa.core.tests.testapp.models import Case
from zhengfa.core.tests.testapp.services import case_open
from zhengfa.org.testing import MatrixTestCase

OWN = "each person sees only his own"


class CoreMatrix(MatrixTestCase):
    case: Case
    file: Attachment

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.case, _code = case_open(
            unit=cls.p.unit_a, title="窗口无人", by=cls.p.leader_a, phone="13700002222"
        )
        notify(users=[cls.p.officer_a], title="测试通知", key="matrix")

    def setUp(self) -> None:
        # Files go to each test's own media folder, so the file is made per test.
        self.file = attach(
            record=self.case,
            upload=SimpleUploadedFile("r.pdf", b"%PDF-1.4\nhello"),
            by=self.p.leader_a,
        )

    cases = [
        ViewCase("core:dashboard", ok=["officer_a", "committee", "sysadmin"], no_scope=OWN),
        ViewCase(
            "core:audit_list",
            ok=["committee", "sysadmin"],
            out_of_scope=["leader_a", "officer_a", "supervision"],
        ),
        ViewCase("core:notification_list", ok=["officer_a", "leader_a"], no_scope=OWN),
        ViewCase("core:notification_read", ok=["officer_a"], method="post", no_scope=OWN),
        ViewCase(
            "core:attachment_download",
            ok=["leader_a", "committee"],
            args=lambda t: [t.file.pk],
            out_of_scope=["officer_b", "leader_b", "sysadmin"],
        ),
        ViewCase(
            "core:reveal_value",
            ok=["leader_a"],
            args=lambda t: ["testapp.case", t.case.pk, "phone"],
            method="post",
            data=lambda t: {"reason": "电话回访"},
            status=200,
            out_of_scope=["officer_b", "leader_b"],
            read_only=["committee"],
        ),
    ]

    def test_a_wrong_expectation_fails_the_matrix(self) -> None:
        for wrong in (
            ViewCase("core:audit_list", ok=["officer_a"], no_scope="-"),
            ViewCase("core:audit_list", ok=["committee"], out_of_scope=["sysadmin"]),
            ViewCase("core:audit_list", ok=["committee"], no_scope="-", read_only=["leader_a"]),
            ViewCase("core:dashboard", ok=["committee"], no_scope="-", method="post"),
            ViewCase("core:dashboard", ok=["committee"]),  # says nothing of scope
        ):
            with self.subTest(wrong), self.assertRaises(AssertionError):
                self.assertViewMatrix(wrong)
