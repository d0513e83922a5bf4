"""What the study app plugs in: its pages, its part of the demo county and the article's
study figures as named indicators."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import Audited, BenchPage, DemoBuilder, Indicator, NavItem, Plugin
from zhengfa.org.access import CHANGE, VIEW, Role, own

from . import demo, selectors
from .models import Activity, Attendance, Distribution, Material, Reflection, Topic

DEMO_YEAR = "start=2021-01-01&end=2021-12-31"
TIMES = pgettext_lazy("unit of count", "sessions")
PERSON_TIMES = pgettext_lazy("unit of count", "person-times")
COPIES = pgettext_lazy("unit of count", "copies")

PLUGIN = Plugin(
    name="study",
    domains={
        # What an officer writes about himself (notes, self-examination) is for him and the
        # leaders and clerks of his unit, not for his colleagues.
        "study_personal": {
            Role.LEADER: {VIEW, CHANGE},
            Role.CLERK: {VIEW, CHANGE},
            Role.COMMITTEE: {VIEW},
            Role.OFFICER: {own(VIEW)},
        },
    },
    navigation=[
        NavItem(Pillar.POLITICS, _("My study"), "study:my_study", "work", order=20),
        NavItem(Pillar.POLITICS, _("Study activities"), "study:activity_list", "work", order=30),
        NavItem(Pillar.PROFESSION, _("Study materials"), "study:material_list", "work", order=10),
        NavItem(
            Pillar.PROFESSION,
            _("Education and rectification talks"),
            "study:topic_list",
            "work",
            order=20,
        ),
        NavItem(Pillar.PROFESSION, _("Study records"), "study:records", "work", CHANGE, order=30),
    ],
    demo=DemoBuilder(build=demo.build, order=30),
    indicators=[
        Indicator(
            "study.lectures_and_meetings",
            _("lectures and meetings"),
            TIMES,
            selectors.lectures_and_meetings,
        ),
        Indicator(
            "study.training_person_times",
            _("political rotation training and other training"),
            PERSON_TIMES,
            selectors.training_person_times,
        ),
        Indicator(
            "study.revolutionary_education",
            _("revolutionary-tradition education"),
            TIMES,
            selectors.revolutionary_education,
        ),
        Indicator(
            "study.party_lectures_by_secretary",
            _("party lectures by the county party secretary"),
            TIMES,
            selectors.party_lectures_by_secretary,
        ),
        Indicator("study.booklets", _("study booklets distributed"), COPIES, selectors.booklets),
        Indicator(
            "study.integrity_lectures", _("integrity lectures"), TIMES, selectors.integrity_lectures
        ),
    ],
    audited=[
        Audited(model)
        for model in (Activity, Attendance, Distribution, Material, Topic, Reflection)
    ],
    bench_pages=[
        BenchPage("zfw", "/staff/study/activities/", 300),
        # The demo county's records are of 2021: the year's pages would be empty.
        BenchPage("zfw", f"/staff/study/records/?{DEMO_YEAR}", 1000),
        BenchPage("zfw", f"/staff/study/records/export.xlsx?{DEMO_YEAR}", 2000),
        BenchPage("pcs_a", "/staff/study/", 500),
        BenchPage("pcs_a", "/staff/study/activities/", 300),
    ],
)
