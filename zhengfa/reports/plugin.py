"""Dashboards and the stage brief: figures from every module present, by the five 过硬."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import COMMITTEES, LEADERS, BenchPage, NavItem, Plugin

# The demo county's campaign, to the day the article counts to.
ARTICLE_PERIOD = "start=2021-02-27&end=2021-04-15"

PLUGIN = Plugin(
    name="reports",
    # Read through the "figures" domain (campaign's): who may see a unit's figures.
    navigation=[
        NavItem(Pillar.POLITICS, _("Dashboard"), "reports:dashboard", "figures", order=1),
        NavItem(Pillar.POLITICS, _("Stage brief"), "reports:brief", "figures", order=2),
    ],
    bench_pages=[
        BenchPage(f"/staff/dashboard/?{ARTICLE_PERIOD}", who=LEADERS),
        BenchPage(f"/staff/brief/?{ARTICLE_PERIOD}", who=COMMITTEES),
        BenchPage(
            f"/staff/dashboard/figure/service.volunteer_activities/?{ARTICLE_PERIOD}",
            who=("zfw",),
        ),
    ],
)
