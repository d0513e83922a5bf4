"""What the service module plugs in. This part: one village one officer (一村一警) and the
village groups (一村一群), the public "find my village officer" and the coverage page.
(Issue 14, continued: appointments, home visits, volunteer services and the convenience
measures come next.)"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import (
    COMMITTEES,
    Audited,
    BenchPage,
    DemoBuilder,
    Indicator,
    NavItem,
    Plugin,
    PublicEntry,
)
from zhengfa.org.access import CHANGE, VIEW, Role

from . import demo, selectors
from .models import VillageGroup, VillagePost

PLUGIN = Plugin(
    name="service",
    domains={
        # A station's (a unit's) leader and clerk assign its officers to villages; the
        # committee sees the county's coverage. The officer keeps his village's group.
        "service": {
            Role.LEADER: {VIEW, CHANGE},
            Role.CLERK: {VIEW, CHANGE},
            Role.COMMITTEE: {VIEW},
        },
    },
    navigation=[
        NavItem(Pillar.CONDUCT, _("Village officers"), "service:coverage", "service", order=70),
    ],
    public_entries=[
        PublicEntry(
            label=_("Find my village officer"),
            url_name="service:find",
            description=_("Your village's police officer: his phone and the village group"),
            order=50,
        ),
    ],
    demo=DemoBuilder(build=demo.build, order=60, county=demo.build_county),
    indicators=[
        Indicator(
            "service.villages_covered",
            _("villages with an officer (一村一警)"),
            _("villages"),
            selectors.covered,
        ),
    ],
    bench_pages=[
        BenchPage("/village-officer/"),
        BenchPage("/staff/service/villages/", who=COMMITTEES),
    ],
    audited=[Audited(VillagePost), Audited(VillageGroup)],
)
