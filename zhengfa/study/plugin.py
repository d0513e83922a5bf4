"""What the study app plugs in: its pages, its part of the demo county and the article's
study figures as named indicators."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import (
    LEADERS,
    STAFF,
    Audited,
    BenchPage,
    DemoBuilder,
    Indicator,
    NavItem,
    Panel,
    Plugin,
    Todo,
    Workbench,
)
from zhengfa.org.access import CHANGE, VIEW, Role, own
from zhengfa.org.models import Officer

from . import demo, selectors
from .models import Activity, Attendance, Category, Distribution, Material, Reflection, Topic

DEMO_YEAR = "start=2021-01-01&end=2021-12-31"


def _is_officer(user: Any) -> bool:
    return Officer.objects.filter(user=user).exists()


def _todos(user: Any) -> list[Todo]:
    officer = selectors.own_officer(user)
    if officer is None:
        return []
    mine = reverse("study:my_study")
    topics = selectors.reflections_missing(officer)
    today = timezone.localdate()
    late = [t.due_on for t in topics if t.due_on < today]
    return [
        Todo(_("Study notes to hand in"), selectors.notes_missing(officer).count(), mine),
        Todo(
            _("Reflections to write"),
            len(topics),
            mine,
            overdue=len(late),
            days_over=(today - min(late)).days if late else 0,
        ),
    ]


def _held(category: str) -> Any:
    """The activity list behind a figure: that category, held by the unit's subtree."""

    def url(unit: Any, start: Any, end: Any) -> str:
        return (
            f"{reverse('study:activity_list')}?unit={unit.pk}&start={start:%Y-%m-%d}"
            f"&end={end:%Y-%m-%d}&category={category}"
        )

    return url


def _busiest_activity() -> str:
    """The organiser's page of the demo county's activity with the largest attendance."""
    from django.db.models import Count

    from zhengfa.org.models import Unit

    county = Unit.objects.filter(code="ZFW").first()
    busiest = (
        Activity.objects.filter(unit__path__startswith=county.path if county else "")
        .annotate(n=Count("attendances"))
        .order_by("-n", "pk")
        .first()
    )
    return reverse("study:activity_detail", args=[busiest.pk]) if busiest else "/staff/study/"


def _soon(request: HttpRequest) -> dict[str, Any] | None:
    """Today's and tomorrow's activities: to run (with the sign-in screen) and to attend."""
    organising = list(selectors.organising_soon(request.user))
    officer = selectors.own_officer(request.user)
    attending = selectors.label_my_attendance(selectors.attending_soon(officer)) if officer else []
    if not organising and not attending:
        return None
    return {"organising": organising, "attending": attending, "now": timezone.now()}


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
        NavItem(
            Pillar.POLITICS, _("My study"), "study:my_study", "work", order=20, allowed=_is_officer
        ),
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
    workbench=[Workbench(_todos, order=30)],
    staff_panels=[Panel("study/partials/_soon.html", _soon, order=20)],
    demo=DemoBuilder(build=demo.build, order=30, county=demo.build_county),
    indicators=[
        Indicator(
            "study.lectures_and_meetings",
            _("lectures and meetings"),
            TIMES,
            selectors.lectures_and_meetings,
            records=_held(Category.LECTURE_MEETING),
            rows=selectors.held(Category.LECTURE_MEETING),
        ),
        Indicator(
            "study.training_person_times",
            _("political rotation training and other training"),
            PERSON_TIMES,
            selectors.training_person_times,
            records=_held(Category.TRAINING),
            rows=lambda unit, start, end: selectors.attendances(
                unit, start, end, (Category.TRAINING,)
            ),
        ),
        Indicator(
            "study.revolutionary_education",
            _("revolutionary-tradition education"),
            TIMES,
            selectors.revolutionary_education,
            records=_held(Category.REVOLUTIONARY),
            rows=selectors.held(Category.REVOLUTIONARY),
        ),
        Indicator(
            "study.party_lectures_by_secretary",
            _("party lectures by the county party secretary"),
            TIMES,
            selectors.party_lectures_by_secretary,
            rows=selectors.held(Category.PARTY_LECTURE, selectors.SECRETARY),
        ),
        Indicator(
            "study.booklets",
            _("study booklets distributed"),
            COPIES,
            selectors.booklets,
            rows=selectors.distributions,
        ),
        Indicator(
            "study.integrity_lectures",
            _("integrity lectures"),
            TIMES,
            selectors.integrity_lectures,
            records=_held(Category.INTEGRITY),
            rows=selectors.held(Category.INTEGRITY),
        ),
    ],
    audited=[
        Audited(model)
        for model in (Activity, Attendance, Distribution, Material, Topic, Reflection)
    ],
    bench_pages=[
        BenchPage(
            "/staff/study/activities/",
            who=STAFF,
            main_query=lambda user: selectors.with_evidence(
                Activity.objects.visible_to(user).select_related("type", "unit")
            )[:30],
        ),
        # The demo county's records are of 2021: the year's pages would be empty.
        BenchPage(f"/staff/study/records/?{DEMO_YEAR}", who=LEADERS),
        BenchPage(f"/staff/study/records/export.xlsx?{DEMO_YEAR}", who=LEADERS, download=True),
        # Kangbao's busiest activity: its county's committee and the province's see it.
        BenchPage(_busiest_activity, who=("zfw", "zfw_province")),
        BenchPage("/staff/study/", who=("pcs_a",)),
    ],
)
