"""The campaign's leading group (领导小组): entered by those who lead the campaign."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from zhengfa.campaign import services
from zhengfa.campaign.models import GroupMember
from zhengfa.campaign.tests.factories import county_campaign
from zhengfa.org.testing import PersonaTestCase


class LeadingGroupTests(PersonaTestCase):
    def test_the_committee_enters_the_group_and_every_unit_reads_it(self) -> None:
        campaign = county_campaign(self.p)
        zfw = self.client_for(self.p.committee)
        url = f"/staff/campaigns/{campaign.pk}/group/"
        head = self.p.committee.officer
        response = zfw.post(
            url,
            {
                "officer": head.pk,
                "post": "县委常委、政法委书记",
                "role": "head",
                "duty": "全面负责",
            },
        )
        self.assertEqual(response.status_code, 302)
        deputy = self.p.leader_a.officer
        zfw.post(url, {"officer": deputy.pk, "post": "派出所所长", "role": "deputy"})
        # A second head, the same person twice, or an empty post: refused, nothing saved.
        for data in (
            {"officer": deputy.pk, "post": "x", "role": "member"},
            {"officer": self.p.clerk_a.officer.pk, "post": "y", "role": "head"},
            {"officer": self.p.clerk_a.officer.pk, "post": "", "role": "member"},
        ):
            with self.subTest(data=data):
                self.assertEqual(zfw.post(url, data).status_code, 400)
        self.assertEqual([m.role for m in services.group_of(campaign)], ["head", "deputy"])
        page = self.client_for(self.p.officer_a).get(f"/staff/campaigns/{campaign.pk}/")
        self.assertContains(page, "县委常委、政法委书记")
        with self.assertRaises(PermissionDenied):
            services.group_remove(member=GroupMember.objects.first(), by=self.p.leader_a)
        member = GroupMember.objects.get(role="deputy")
        zfw.post(url, {"remove": member.pk})
        self.assertEqual(GroupMember.objects.count(), 1)
