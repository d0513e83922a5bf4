"""A mediation case: intake, numbers, sessions, agreement, referral and who sees it."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from docx import Document

from zhengfa.core import followup
from zhengfa.mediation import services
from zhengfa.mediation.models import Case, CaseState, DisputeType, Referral, Source
from zhengfa.org.testing import PersonaTestCase

from .factories import case_at_committee, lawyer_studio


class LifeTests(PersonaTestCase):
    def test_from_an_online_application_through_a_referral_to_an_agreement(self) -> None:
        case, code = services.case_create(
            organisation=self.p.mediation_committee,
            dispute_type=DisputeType.objects.get(code="labour"),
            source=Source.APPLICATION,
            facts="在村里工地干活,工钱8000元拖欠半年。",
            requests="结清工钱。",
            amount=Decimal("8000"),
            parties=[
                services.PartyData("applicant", "王五", "13900005555"),
                services.PartyData("respondent", "某建筑队", is_organisation=True),
            ],
        )
        year = timezone.localdate().year
        # No area in the persona county: the place word is the organisation's first character.
        self.assertEqual(case.number, f"（{year}）甲人调字第0001号")
        self.assertEqual(followup.find(code), case)
        self.assertEqual(case.state, CaseState.APPLIED)
        services.case_transition(record=case, name="accept", by=self.p.mediator)
        self.assertEqual(case.mediator, self.p.mediator)
        assert case.due_at is not None
        self.assertEqual((case.due_at - timezone.now()).days, 29)
        # Referred to the lawyer studio, which takes it: the same case, its time anew.
        studio, lawyer = lawyer_studio(self.p)
        staff = self.client_for(self.p.mediator)
        response = staff.post(
            f"/staff/mediation/{case.pk}/refer/",
            {"to": studio.pk, "reason": "涉及合同条款,请律师调解"},
        )
        self.assertEqual(response.status_code, 302)
        case.refresh_from_db()
        self.assertEqual(
            (case.state, case.organisation, case.channel), ("referred", studio, "lawyer")
        )
        response = self.client_for(lawyer).post(
            f"/staff/mediation/{case.pk}/referral/", {"answer": "take"}
        )
        self.assertEqual(response.status_code, 302)
        case.refresh_from_db()
        self.assertEqual((case.state, case.mediator), (CaseState.ACCEPTED, lawyer))
        self.assertEqual(Referral.objects.get().answer, "taken")
        # The committee's mediator now reads only his own part, without the parties.
        page = staff.get(case.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "王五")
        self.assertContains(page, "您看到的是本单位经手部分")
        self.assertEqual(staff.post(f"/staff/mediation/{case.pk}/session/", {}).status_code, 403)
        # A session begins the mediation; the agreement settles it.
        lawyer_client = self.client_for(lawyer)
        response = lawyer_client.post(
            f"/staff/mediation/{case.pk}/session/",
            {
                "held_at": "2026-01-05T09:30",
                "place": "律师调解工作室",
                "participants": "王五、建筑队负责人",
                "record": "双方同意分两期支付。",
            },
        )
        self.assertEqual(response.status_code, 302)
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.MEDIATING)
        response = lawyer_client.post(
            f"/staff/mediation/{case.pk}/agreement/",
            {
                "issues": "建筑队拖欠王五工钱8000元,事实清楚。",
                "terms": "建筑队分两期支付8000元。",
                "performance": "2026年2月1日前支付4000元,3月1日前支付余款。",
                "agreed_on": str(timezone.localdate()),
            },
        )
        self.assertEqual(response.status_code, 302)
        case.refresh_from_db()
        self.assertEqual(case.state, CaseState.SETTLED)
        self.assertEqual(case.agreement.terms, "建筑队分两期支付8000元。")
        # The 调解协议书 as Word, with its statutory contents, and as a page to print.
        download = lawyer_client.get(f"/staff/mediation/{case.pk}/agreement/docx/")
        self.assertEqual(download.status_code, 200)
        document = Document(io.BytesIO(download.content))
        text = "\n".join(p.text for p in document.paragraphs)
        for expected in (
            "调解协议书",
            case.number,
            "律师调解工作室",
            "申请人:王五",
            "被申请人:某建筑队",
            "建筑队拖欠王五工钱8000元",
            "建筑队分两期支付8000元。",
            "3月1日前支付余款",
            "申请人(签名或按指印):王五",
            "调解员(签名):甲律师",
            "律师调解工作室(盖章)",
            "一式3份",
        ):
            self.assertIn(expected, text)
        printed = lawyer_client.get(f"/staff/mediation/{case.pk}/agreement/print/")
        self.assertContains(printed, "建筑队分两期支付8000元。")
        # The committee that referred it does not get the agreement.
        self.assertEqual(staff.get(f"/staff/mediation/{case.pk}/agreement/docx/").status_code, 404)

    def test_numbers_count_per_organisation_and_year_and_are_never_reused(self) -> None:
        first = case_at_committee(self.p)
        second = case_at_committee(self.p)
        self.assertTrue(first.number.endswith("第0001号"))
        self.assertTrue(second.number.endswith("第0002号"))
        services.case_transition(record=first, name="withdraw", by=self.p.mediator)
        Case.objects.filter(pk=first.pk).delete()
        self.assertTrue(case_at_committee(self.p).number.endswith("第0003号"))

    def test_entrusted_cases_have_fifteen_days(self) -> None:
        case = case_at_committee(self.p, source=Source.ENTRUSTED)
        services.case_transition(record=case, name="accept", by=self.p.mediator)
        assert case.due_at is not None
        self.assertEqual((case.due_at - timezone.now()).days, 14)
        self.assertEqual(services.days_for(Source.APPLICATION), 30)


class BadInputTests(PersonaTestCase):
    def test_each_is_refused_and_nothing_changes(self) -> None:
        def make(**extra: object) -> None:
            fields = {
                "organisation": self.p.mediation_committee,
                "dispute_type": DisputeType.objects.get(code="neighbours"),
                "source": Source.APPLICATION,
                "facts": "争执。",
                "parties": [services.PartyData("applicant", "张三")],
                "by": self.p.mediator,
                **extra,
            }
            services.case_create(**fields)  # type: ignore[arg-type]

        for extra in (
            {"parties": [services.PartyData("applicant", "张三", phone="123")]},
            {"parties": [services.PartyData("applicant", "张三", id_number="130723199901010011")]},
            {"amount": Decimal("-5")},
            {"parties": [services.PartyData("respondent", "李四")]},
        ):
            with self.subTest(extra=extra), self.assertRaises(ValidationError):
                make(**extra)
        self.assertFalse(Case.objects.exists())
        case = case_at_committee(self.p)
        with self.assertRaises(ValidationError):
            services.case_refer(
                case=case, to=self.p.mediation_committee, by=self.p.mediator, reason="x"
            )
        with self.assertRaises(ValidationError):
            services.case_transition(record=case, name="begin", by=self.p.mediator)
        case.refresh_from_db()
        self.assertEqual(
            (case.state, case.organisation), (CaseState.APPLIED, self.p.mediation_committee)
        )
        response = self.client_for(self.p.mediator).post(
            "/staff/mediation/new/", {"facts": "x", "amount": "abc"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Case.objects.count(), 1)
