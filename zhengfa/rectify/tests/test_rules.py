"""Who may do what to an item and a form, beyond the happy path."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from zhengfa.core.deadlines import notify_deadlines
from zhengfa.core.models import Notification
from zhengfa.org import services as org_services
from zhengfa.org.access import Role
from zhengfa.org.testing import PersonaTestCase
from zhengfa.rectify import services
from zhengfa.rectify.models import Declaration, LedgerItem, may_verify

from .factories import category, county_round, declare, item_at_a


class FormTests(PersonaTestCase):
    def test_amending_twice_makes_a_third_version(self) -> None:
        round_ = county_round(self.p)
        declare(self.p, round_)
        officer = self.p.officer_a_profile
        for _n in range(2):
            draft = services.declaration_amend(round_=round_, officer=officer, by=self.p.officer_a)
            # A second press while amending gives the same draft, not another.
            again = services.declaration_amend(round_=round_, officer=officer, by=self.p.officer_a)
            self.assertEqual(draft, again)
            services.declaration_save(
                round_=round_,
                officer=officer,
                entries={category().pk: "以亲属名义入股一家商店。"},
                submit=True,
                by=self.p.officer_a,
            )
        self.assertEqual(
            list(Declaration.objects.order_by("version").values_list("version", flat=True)),
            [1, 2, 3],
        )
        current = services.current_declaration(round_, officer)
        assert current is not None
        self.assertEqual(current.version, 3)
        mine = self.client_for(self.p.officer_a).get(
            reverse("rectify:declaration_mine", args=[round_.pk])
        )
        self.assertRedirects(mine, current.get_absolute_url())

    def test_a_form_not_yet_submitted_is_its_writers_alone(self) -> None:
        round_ = county_round(self.p)
        draft = services.declaration_save(
            round_=round_,
            officer=self.p.officer_a_profile,
            entries={category().pk: "草稿:入股"},
            submit=False,
            by=self.p.officer_a,
        )
        url = reverse("rectify:declaration_detail", args=[draft.pk])
        self.assertStatus(self.p.officer_a, "get", url, 200)
        for who in (self.p.leader_a, self.p.supervision, self.p.committee):
            self.assertStatus(who, "get", url, 404)

    def test_a_round_covers_only_units_below_its_opener(self) -> None:
        from zhengfa.campaign.tests.factories import county_campaign

        with self.assertRaises(Exception) as caught:
            services.round_open(
                by=self.p.committee,
                campaign=county_campaign(self.p),
                unit=self.p.bureau,
                title="公安局自查",
                deadline=timezone.localdate() + dt.timedelta(days=5),
                units=[self.p.justice],
            )
        self.assertIn("units", getattr(caught.exception, "message_dict", {}))


class VerificationTests(PersonaTestCase):
    def awaiting(self, responsible: object, by: object) -> LedgerItem:
        item = item_at_a(self.p, responsible=responsible)
        services.item_transition(record=item, name="start", by=by)
        services.item_transition(record=item, name="submit", by=by, comment="已整改")
        return item

    def test_whoever_asked_for_verification_does_not_verify(self) -> None:
        # The committee did the work on leader A's item and asks for verification itself.
        item = self.awaiting(self.p.leader_a, self.p.committee)
        self.assertFalse(may_verify(item, self.p.committee))
        self.assertStatus(
            self.p.committee,
            "post",
            reverse("rectify:item_transition", args=[item.pk, "close"]),
            403,
        )
        self.assertTrue(may_verify(item, self.p.supervision))

    def test_a_supervision_role_elsewhere_does_not_verify_ones_own_unit(self) -> None:
        org_services.role_assign(user=self.p.leader_a, role=Role.SUPERVISION, unit=self.p.justice)
        item = self.awaiting(self.p.officer_a, self.p.officer_a)
        self.assertFalse(may_verify(item, self.p.leader_a))

    def test_verifiers_are_told_and_the_owner_not_chased_while_it_waits(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):  # notices are written on commit
            item = self.awaiting(self.p.officer_a, self.p.officer_a)
        told = set(
            Notification.objects.filter(title__contains="待验收").values_list(
                "user__username", flat=True
            )
        )
        self.assertEqual(told, {"zfw", "jiancha"})  # no leader at the bureau: the committee
        LedgerItem.objects.filter(pk=item.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
        notify_deadlines()
        self.assertFalse(Notification.objects.filter(key__contains="overdue").exists())


class FiveTests(PersonaTestCase):
    def test_the_responsible_person_does_not_set_his_own_five_or_deadline(self) -> None:
        item = item_at_a(self.p, responsible=self.p.officer_a)
        for name in ("rectify:item_edit", "rectify:item_deadline"):
            self.assertStatus(self.p.officer_a, "get", reverse(name, args=[item.pk]), 403)
        with self.assertRaises(PermissionDenied):
            services.item_update(
                item=item,
                by=self.p.officer_a,
                problem="无",
                measures="无",
                standard="不需验收",
                responsible=self.p.officer_a,
            )

    def test_the_five_are_fixed_once_rectification_starts(self) -> None:
        item = item_at_a(self.p)
        services.item_transition(record=item, name="start", by=self.p.leader_a)
        self.assertStatus(self.p.leader_a, "get", reverse("rectify:item_edit", args=[item.pk]), 403)

    def test_a_self_declared_problem_stays_in_the_officers_words(self) -> None:
        declare(self.p, county_round(self.p))
        item = LedgerItem.objects.get()
        services.item_update(
            item=item,
            by=self.p.leader_a,
            problem="无问题",
            measures="退股",
            standard="登记变更",
            responsible=self.p.leader_a,
            deadline=timezone.localdate() + dt.timedelta(days=9),
        )
        item.refresh_from_db()
        self.assertEqual(item.problem, "以亲属名义入股一家商店。")
        # The officer concerned follows it.
        self.assertStatus(
            self.p.officer_a, "get", reverse("rectify:item_detail", args=[item.pk]), 200
        )
