"""A mediation case: intake, numbers, sessions, agreement, referral and who sees it."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from docx import Document

from zhengfa.core import followup
from zhengfa.core.testing import public_form_fields
from zhengfa.mediation import services
from zhengfa.mediation.models import (
    Agreement,
    Case,
    CaseState,
    Confirmation,
    DisputeType,
    Referral,
    RosterEntry,
    Source,
)
from zhengfa.org.testing import PersonaTestCase

from .factories import case_at_committee, court_clerk, lawyer_studio, settled_at_committee


class LifeTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()

    def test_from_an_online_application_through_a_referral_to_an_agreement(self) -> None:
        # The citizen applies on his phone, to his village's committee.
        citizen = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 7.0) MicroMessenger/8.0.1")
        page = citizen.get("/mediation/apply/")
        self.assertContains(page, self.p.mediation_committee.name)
        response = citizen.post(
            "/mediation/apply/",
            {
                **public_form_fields(citizen, "/mediation/apply/"),
                "organisation": self.p.mediation_committee.pk,
                "dispute_type": DisputeType.objects.get(code="labour").pk,
                "facts": "在村里工地干活,工钱8000元拖欠半年。",
                "requests": "结清工钱。",
                "amount": "8000",
                "name": "王五",
                "phone": "139 0000 5555",
                "respondent": "某建筑队",
                "respondent_is_organisation": "on",
            },
        )
        self.assertRedirects(response, "/mediation/apply/done/", fetch_redirect_response=False)
        shown = citizen.get("/mediation/apply/done/").content.decode()
        found = re.search(r'id="followup-code"[^>]*>([0-9A-Z-]+)<', shown)
        assert found is not None
        code = found.group(1)
        case = Case.objects.get()
        self.assertEqual(
            [(p.name, p.phone, p.is_organisation) for p in case.parties.all()],
            [("王五", "13900005555", False), ("某建筑队", "", True)],
        )
        year = timezone.localdate().year
        # No area in the persona county: the county word is the organisation's first
        # character, and a committee without a village set is told apart by its name.
        self.assertEqual(case.number, f"（{year}）甲甲村人调字第0001号")
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
        # The citizen reads who holds his case, never why it was referred.
        followed = citizen.post("/query/", {"code": code}, follow=True)
        self.assertContains(followed, "已由律师调解工作室接收")
        self.assertNotContains(followed, "涉及合同条款")
        # The committee's mediator now reads only his own part, without the parties.
        page = staff.get(case.get_absolute_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "王五")
        self.assertContains(page, "您看到的是本单位经手部分")
        self.assertEqual(staff.post(f"/staff/mediation/{case.pk}/session/", {}).status_code, 403)
        # While it is open the applicant adds information under his code.
        added = citizen.post("/query/record/add/", {"comment": "对方已承认欠款。"}, follow=True)
        self.assertContains(added, "对方已承认欠款。")
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
        # The committee that referred it reads nothing of the studio's part.
        self.assertNotContains(staff.get(case.get_absolute_url()), "双方同意分两期支付")
        self.assertNotContains(staff.get(case.get_absolute_url()), "对方已承认欠款")
        # The committee that referred it does not get the agreement.
        self.assertEqual(staff.get(f"/staff/mediation/{case.pk}/agreement/docx/").status_code, 404)
        # Judicial confirmation: applied for jointly, registered at the court with 调确字.
        clerk = self.client_for(court_clerk(self.p))
        response = lawyer_client.post(
            f"/staff/mediation/{case.pk}/confirmation/",
            {"applied_on": str(timezone.localdate()), "applicants": "王五、某建筑队"},
        )
        self.assertEqual(response.status_code, 302)
        confirmation = Confirmation.objects.get(case=case)
        self.assertEqual(confirmation.number, f"（{year}）测调确字第0001号")
        self.assertEqual(confirmation.accept_by, timezone.localdate() + dt.timedelta(days=3))
        # The court reads the agreement it is asked to confirm, and decides.
        page = clerk.get(case.get_absolute_url())
        self.assertContains(page, "建筑队分两期支付8000元。")
        self.assertContains(clerk.get(f"/staff/mediation/{case.pk}/agreement/print/"), "调解协议书")
        decide = f"/staff/mediation/{case.pk}/confirmation/decide/"
        today = str(timezone.localdate())
        self.assertEqual(clerk.post(decide, {"step": "accept", "on": today}).status_code, 302)
        confirmation.refresh_from_db()
        self.assertEqual(confirmation.rule_by, timezone.localdate() + dt.timedelta(days=15))
        response = clerk.post(decide, {"step": "extend", "on": today, "reason": "需补充材料"})
        self.assertEqual(response.status_code, 302)
        confirmation.refresh_from_db()
        self.assertEqual(confirmation.rule_by, timezone.localdate() + dt.timedelta(days=25))
        # Extended once only; a ruling without the step is refused.
        response = clerk.post(decide, {"step": "extend", "on": today, "reason": "再延"})
        self.assertContains(response, "只能延长一次", status_code=400)
        response = clerk.post(decide, {"step": "confirm", "on": today})
        self.assertEqual(response.status_code, 302)
        confirmation.refresh_from_db()
        self.assertEqual(
            (confirmation.state, confirmation.ruled_on), ("confirmed", timezone.localdate())
        )
        # The applicant reads the court's decision with his code.
        followed = self.client.post("/query/", {"code": code}, follow=True)
        self.assertContains(followed, "确认调解协议有效")
        # Follow-up: not performed, so the case is mediated again with the same parties.
        response = lawyer_client.post(
            f"/staff/mediation/{case.pk}/visit/",
            {
                "visited_on": today,
                "performance": "not_performed",
                "note": "第一期款未付。",
                "next_step": "remediate",
            },
        )
        self.assertEqual(response.status_code, 302)
        visit = case.visits.get()
        again = visit.new_case
        assert again is not None
        self.assertEqual(
            (again.previous, again.organisation, again.state), (case, studio, "applied")
        )
        self.assertEqual(list(again.parties.values_list("name", flat=True)), ["王五", "某建筑队"])
        self.assertTrue(again.number.endswith("律调字第0001号"))

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


class ConfirmationRulesTests(PersonaTestCase):
    def test_late_excluded_or_repeated_applications_are_refused(self) -> None:
        clerk_client = self.client_for(court_clerk(self.p))
        case = settled_at_committee(self.p)
        # The court does not see a village committee's case until it is sent for confirmation.
        self.assertEqual(clerk_client.get(case.get_absolute_url()).status_code, 404)
        # Agreed 40 days ago: the 30 days to apply ran out 10 days ago.
        agreed = timezone.localdate() - dt.timedelta(days=40)
        Agreement.objects.filter(case=case).update(agreed_on=agreed)
        case.refresh_from_db()
        mediator = self.client_for(self.p.mediator)
        url = f"/staff/mediation/{case.pk}/confirmation/"
        late = agreed + dt.timedelta(days=31)
        with self.assertRaises(ValidationError) as raised:
            services.confirmation_apply(
                case=case, by=self.p.mediator, applied_on=late, applicants="张三、李四"
            )
        self.assertIn("30", raised.exception.messages[0])
        # Through the page: a date in the future, no applicants.
        response = mediator.post(url, {"applied_on": "2999-01-01", "applicants": ""})
        self.assertEqual(response.status_code, 400)
        # A marriage dispute cannot be sent at all.
        DisputeType.objects.filter(pk=case.dispute_type_id).update(confirmable=False)
        case.refresh_from_db()
        response = mediator.post(url, {"applied_on": str(agreed), "applicants": "张三、李四"})
        self.assertContains(response, "婚姻", status_code=400)
        self.assertFalse(Confirmation.objects.exists())
        DisputeType.objects.filter(pk=case.dispute_type_id).update(confirmable=True)
        case.refresh_from_db()
        services.confirmation_apply(
            case=case, by=self.p.mediator, applied_on=agreed, applicants="张三、李四"
        )
        with self.assertRaises(ValidationError):
            services.confirmation_apply(
                case=case, by=self.p.mediator, applied_on=agreed, applicants="张三、李四"
            )
        self.assertEqual(Confirmation.objects.count(), 1)
        page = clerk_client.get(case.get_absolute_url())
        self.assertContains(page, "界墙按原址重砌")
        self.assertNotContains(page, "130723199901010015")
        # The court cannot rule before it accepts, nor refuse without a reason.
        confirmation = Confirmation.objects.get()
        clerk = court_clerk(self.p)
        for step, reason in (("confirm", ""), ("refuse", "")):
            with self.subTest(step=step), self.assertRaises(ValidationError):
                services.confirmation_step(
                    confirmation=confirmation, by=clerk, step=step, on=agreed, reason=reason
                )
        confirmation.refresh_from_db()
        self.assertEqual(confirmation.state, "applied")
        # Only the court decides.
        with self.assertRaises(PermissionDenied):
            services.confirmation_step(
                confirmation=confirmation, by=self.p.mediator, step="accept", on=agreed
            )

    def test_a_visit_to_a_performed_agreement_needs_nothing_further(self) -> None:
        case = settled_at_committee(self.p)
        with self.assertRaises(ValidationError):
            services.visit_record(
                case=case,
                by=self.p.mediator,
                visited_on=timezone.localdate(),
                performance="performed",
                note="已履行。",
                next_step="litigation",
            )
        services.visit_record(
            case=case,
            by=self.p.mediator,
            visited_on=timezone.localdate(),
            performance="performed",
            note="已履行。",
        )
        self.assertEqual(Case.objects.count(), 1)
        self.assertEqual(case.visits.count(), 1)


class ExtensionTests(PersonaTestCase):
    def test_extended_with_consent_on_the_timeline(self) -> None:
        case = case_at_committee(self.p)
        services.case_transition(record=case, name="accept", by=self.p.mediator)
        due = case.due_at
        assert due is not None
        mediator = self.client_for(self.p.mediator)
        url = f"/staff/mediation/{case.pk}/extend/"
        self.assertEqual(mediator.post(url, {"days": "0", "consent": "同意"}).status_code, 400)
        self.assertEqual(mediator.post(url, {"days": "10", "consent": ""}).status_code, 400)
        response = mediator.post(url, {"days": "10", "consent": "双方当面同意并签字"})
        self.assertEqual(response.status_code, 302)
        case.refresh_from_db()
        assert case.due_at is not None
        self.assertEqual((case.due_at - due).days, 10)
        self.assertTrue(case.extended)
        self.assertContains(mediator.get(case.get_absolute_url()), "双方当面同意并签字")


class ApplicationFormTests(PersonaTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.citizen = Client()

    def fields(self, **extra: object) -> dict[str, object]:
        return {
            **public_form_fields(self.citizen, "/mediation/apply/"),
            "organisation": self.p.mediation_committee.pk,
            "dispute_type": DisputeType.objects.get(code="neighbours").pk,
            "facts": "邻居家的树遮挡了我家院子。",
            "name": "赵六",
            "phone": "13900006666",
            "respondent": "钱七",
            **extra,
        }

    def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(self) -> None:
        for extra, message in (
            ({"phone": "12345"}, "手机号"),
            ({"amount": "-5"}, "0"),
            ({"amount": "很多"}, "数"),
            ({"id_number": "130723199901010011"}, "身份证"),
            ({"facts": ""}, "请告诉我们发生了什么"),
            ({"organisation": self.p.unit_a.pk}, "选择"),
        ):
            with self.subTest(extra=extra):
                response = self.citizen.post("/mediation/apply/", self.fields(**extra))
                self.assertContains(response, message, status_code=400)
        self.assertFalse(Case.objects.exists())

    def test_sent_twice_makes_one_case_and_not_sure_goes_to_the_court_studio(self) -> None:
        court, _lawyer = lawyer_studio(self.p)
        from zhengfa.org import services as org

        studio = org.unit_create(
            name="涉诉人民调解工作室", code="SSTJ", kind="litigation_mediation", parent=court.parent
        )
        fields = self.fields(organisation="unknown")
        first = self.citizen.post("/mediation/apply/", fields)
        again = self.citizen.post("/mediation/apply/", fields)
        self.assertEqual(first.status_code, 302)
        self.assertEqual(again.status_code, 302)
        self.assertEqual(Case.objects.get().organisation, studio)


class RosterTests(PersonaTestCase):
    def test_the_court_keeps_its_roster(self) -> None:
        clerk = self.client_for(court_clerk(self.p))
        mediator = self.p.mediator_profile
        response = clerk.post(
            "/staff/mediation/roster/new/",
            {
                "organisation": self.p.mediation_committee.pk,
                "mediator": mediator.pk,
                "specialties": [DisputeType.objects.get(code="land").pk],
                "hours": "每周二、四",
                "available": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        page = clerk.get("/staff/mediation/roster/")
        self.assertContains(page, "每周二、四")
        self.assertContains(page, "土地承包/山林")
        # The same entry twice, or a mediator of another organisation: refused.
        studio, _lawyer = lawyer_studio(self.p)
        for data in (
            {"organisation": self.p.mediation_committee.pk, "mediator": mediator.pk},
            {"organisation": studio.pk, "mediator": mediator.pk},
        ):
            with self.subTest(data=data):
                self.assertEqual(clerk.post("/staff/mediation/roster/new/", data).status_code, 400)
        self.assertEqual(RosterEntry.objects.count(), 1)


class FiguresTests(PersonaTestCase):
    def test_counts_rates_and_the_flow_between_channels(self) -> None:
        settled = settled_at_committee(self.p)
        failed = case_at_committee(self.p)
        services.case_transition(record=failed, name="accept", by=self.p.mediator)
        services.case_transition(record=failed, name="fail", by=self.p.mediator, comment="未果")
        studio, _lawyer = lawyer_studio(self.p)
        referred = case_at_committee(self.p)
        services.case_refer(case=referred, to=studio, by=self.p.mediator, reason="转律师")
        from zhengfa.mediation import selectors

        found = selectors.figures(Case.objects.all())
        self.assertEqual(found["total"], 3)
        self.assertEqual(found["success_rate"], 50)
        self.assertEqual(found["flow"], [{"from": "人民调解", "to": "律师调解", "n": 1}])
        today = timezone.localdate()
        self.assertEqual(selectors.settled(self.p.root, today, today), 1)
        self.assertEqual(selectors.success_rate(self.p.root, today, today), 50.0)
        self.assertEqual(selectors.referrals(self.p.root, today, today), 1)
        page = self.client_for(self.p.committee).get("/staff/mediation/figures/")
        self.assertContains(page, "人民调解")
        self.assertContains(page, "50%")
        bad = self.client_for(self.p.committee).get(
            "/staff/mediation/figures/?start=2021-05-01&end=2021-04-01"
        )
        self.assertContains(bad, "结束日期早于开始日期", status_code=400)
        self.assertTrue(settled.agreement)
        # The list behind a figure: by channel, overdue, by number.
        listed = self.client_for(self.p.committee).get("/staff/mediation/?channel=lawyer")
        self.assertContains(listed, referred.number)
        self.assertNotContains(listed, settled.number)
        late = case_at_committee(self.p)
        Case.objects.filter(pk__in=[failed.pk, late.pk]).update(due_at=timezone.now())
        overdue = self.client_for(self.p.mediator).get("/staff/mediation/?due=overdue")
        self.assertContains(overdue, late.number)
        self.assertNotContains(overdue, failed.number)  # closed: never overdue
        by_number = self.client_for(self.p.mediator).get(
            f"/staff/mediation/?number={settled.number}"
        )
        self.assertContains(by_number, settled.number)
        self.assertNotContains(by_number, failed.number)


class PartiesTests(PersonaTestCase):
    def test_a_party_added_and_revealed_with_a_reason(self) -> None:
        case = case_at_committee(self.p)
        mediator = self.client_for(self.p.mediator)
        url = f"/staff/mediation/{case.pk}/party/"
        bad = mediator.post(url, {"role": "respondent", "name": "孙八", "phone": "123"})
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(case.parties.count(), 2)
        response = mediator.post(
            url,
            {
                "role": "respondent",
                "name": "孙八",
                "phone": "13900008888",
                "address": "康保镇东街5号",
            },
        )
        self.assertEqual(response.status_code, 302)
        page = mediator.get(case.get_absolute_url())
        self.assertContains(page, "孙八")
        self.assertContains(page, "139****8888")
        self.assertNotContains(page, "13900008888")
        self.assertNotContains(page, "东街5号")
        party = case.parties.get(name="孙八")
        shown = mediator.post(
            f"/staff/reveal/mediation.party/{party.pk}/phone/", {"reason": "电话通知调解时间"}
        )
        self.assertContains(shown, "13900008888")
        # The committee reads the case but cannot see a party's phone in full.
        refused = self.client_for(self.p.committee).post(
            f"/staff/reveal/mediation.party/{party.pk}/phone/", {"reason": "查看"}
        )
        self.assertIn(refused.status_code, {403, 404})


class NumberWordTests(PersonaTestCase):
    def test_counties_that_start_alike_are_told_apart(self) -> None:
        from zhengfa.mediation.services import _county_word
        from zhengfa.org.models import Area, AreaLevel

        kangbao = Area.objects.create(code="130723", name="康保县", level=AreaLevel.COUNTY)
        self.assertEqual(_county_word(kangbao), "康")
        changcheng = Area.objects.create(code="X01", name="长城县", level=AreaLevel.COUNTY)
        changyang = Area.objects.create(code="X02", name="长阳县", level=AreaLevel.COUNTY)
        self.assertEqual((_county_word(changcheng), _county_word(changyang)), ("长城", "长阳"))


class PartyRulesTests(PersonaTestCase):
    def test_a_company_with_a_landline_and_a_credit_code(self) -> None:
        case = case_at_committee(self.p)
        ok = services.PartyData(
            "respondent", "康保某公司", "0313-5221234", "91350100M000100Y43", is_organisation=True
        )
        services.party_add(case=case, by=self.p.mediator, party=ok)
        bad = services.PartyData(
            "respondent", "某公司", id_number="garbage!!", is_organisation=True
        )
        with self.assertRaises(ValidationError):
            services.party_add(case=case, by=self.p.mediator, party=bad)
        self.assertEqual(case.parties.count(), 3)
        # A session is recorded after it was held.
        services.case_transition(record=case, name="accept", by=self.p.mediator)
        with self.assertRaises(ValidationError):
            services.session_record(
                case=case,
                by=self.p.mediator,
                held_at=timezone.now() + dt.timedelta(days=3),
                place="村委会",
                participants="双方",
                record="将来的事",
            )
        self.assertFalse(case.sessions.exists())
