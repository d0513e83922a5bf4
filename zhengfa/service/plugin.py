"""What the service module plugs in: one village one officer (一村一警) and the village
groups (一村一群), appointments with holiday service, home visits, volunteer services and the
convenience measures, with their public pages, jobs, figures, demo and bench pages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhengfa.core.jobs import daily, hourly_between
from zhengfa.core.navigation import Pillar
from zhengfa.core.registry import (
    COMMITTEES,
    Audited,
    BenchPage,
    DemoBuilder,
    Indicator,
    NavItem,
    PeriodicJob,
    Plugin,
    PublicEntry,
    PublicView,
    Todo,
    Workbench,
)
from zhengfa.core.workbench import todo
from zhengfa.org.access import ASSIGN, CHANGE, REVEAL, VIEW, Role, own

from . import demo, selectors, services
from .models import (
    Appointment,
    AppointmentState,
    CalendarDay,
    HomeVisit,
    HomeVisitState,
    Measure,
    MeasureUpdate,
    Offer,
    Opening,
    VillageGroup,
    VillagePost,
    VolunteerActivity,
)


def _todos(user: Any) -> list[Todo]:
    today = timezone.localdate()
    appointments = Appointment.objects.visible_to(user, CHANGE).filter(
        slot__starts_at__date__gte=today
    )
    visits = HomeVisit.objects.visible_to(user, CHANGE)
    return [
        todo(
            _("Appointments to confirm"),
            appointments.filter(state=AppointmentState.BOOKED),
            f"{reverse('service:appointment_list')}?state={AppointmentState.BOOKED}",
        ),
        todo(
            _("Home visits to arrange"),
            visits.filter(state=HomeVisitState.REQUESTED),
            f"{reverse('service:visit_list')}?state={HomeVisitState.REQUESTED}",
        ),
        todo(
            _("Home visits to make"),
            visits.filter(state=HomeVisitState.SCHEDULED),
            f"{reverse('service:visit_list')}?state={HomeVisitState.SCHEDULED}",
        ),
    ]


def _booking_page() -> str:
    offer = Offer.objects.filter(active=True, unit__code="GAJ").order_by("pk").first()
    return f"/appointments/{offer.pk}/" if offer else "/appointments/"


def _remind_appointments() -> object:
    from .tasks import remind_appointments

    return remind_appointments.enqueue()


def _remind_group_codes() -> object:
    from .tasks import remind_group_codes

    return remind_group_codes.enqueue()


PLUGIN = Plugin(
    name="service",
    domains={
        # A unit's leader and clerk keep its village posts, services for appointments and
        # volunteer services, and see the appointments' phone numbers to call; the committee
        # sees the county's. The village's officer keeps its group.
        "service": {
            Role.LEADER: {VIEW, CHANGE, REVEAL},
            Role.CLERK: {VIEW, CHANGE, REVEAL},
            # Assign: the county's corrections to the holiday calendar.
            Role.COMMITTEE: {VIEW, ASSIGN},
        },
        # Home visits are the visiting officer's (his own), and his unit's leader's and
        # clerk's, who arrange them; the address is revealed with a reason.
        "homevisit": {
            Role.OFFICER: {own(VIEW), own(CHANGE), own(REVEAL)},
            Role.LEADER: {VIEW, CHANGE, REVEAL},
            Role.CLERK: {VIEW, CHANGE, REVEAL},
            Role.COMMITTEE: {VIEW},
        },
        # The committee sets out the county's measures and their units; each unit's staff
        # report the progress of their own.
        "measures": {
            Role.COMMITTEE: {VIEW, ASSIGN},
            Role.LEADER: {VIEW, CHANGE},
            Role.CLERK: {VIEW, CHANGE},
        },
    },
    navigation=[
        NavItem(Pillar.CONDUCT, _("Village officers"), "service:coverage", "service", order=70),
        NavItem(Pillar.CONDUCT, _("Appointments"), "service:appointment_list", "service", order=71),
        NavItem(
            Pillar.CONDUCT,
            _("Services and opening hours"),
            "service:offer_list",
            "service",
            order=72,
        ),
        NavItem(Pillar.CONDUCT, _("Home visits"), "service:visit_list", "homevisit", order=73),
        NavItem(
            Pillar.CONDUCT, _("Volunteer services"), "service:activity_list", "service", order=74
        ),
        NavItem(
            Pillar.CONDUCT, _("Convenience measures"), "service:measure_list", "measures", order=75
        ),
        NavItem(Pillar.CONDUCT, _("Service figures"), "service:figures", "service", order=76),
    ],
    public_entries=[
        PublicEntry(
            label=_("Find my village officer"),
            url_name="service:find",
            description=_("Your village's police officer: his phone and the village group"),
            order=50,
        ),
        PublicEntry(
            label=_("Book an appointment"),
            url_name="service:book_start",
            description=_(
                "ID cards, household registration, legal advice: choose a time, no queueing. "
                "Also on holidays where offered."
            ),
            order=55,
        ),
        PublicEntry(
            label=_("Ask for a home visit"),
            url_name="service:visit_apply",
            description=_("For someone old, disabled or ill who cannot come: an officer comes."),
            order=56,
        ),
        PublicEntry(
            label=_("Our convenience measures"),
            url_name="service:measures_public",
            description=_("What the county promised, and how far each promise has come"),
            order=60,
        ),
    ],
    workbench=[Workbench(_todos, order=40)],
    jobs=[
        # Each hour of the day (9:00 to 20:00): whoever is booked for tomorrow and was not
        # reminded yet, also if he booked after the morning's run.
        PeriodicJob("service_remind_appointments", _remind_appointments, hourly_between(9, 20)),
        PeriodicJob("service_remind_group_codes", _remind_group_codes, daily),
    ],
    followups={
        Appointment: PublicView(
            title=lambda a: str(_("Appointment: %(service)s") % {"service": a.offer.name}),
            is_open=lambda a: a.is_open,
            details=lambda a: [
                (_("Service"), a.offer.name),
                (_("Unit"), a.unit.name),
                (_("Time"), timezone.localtime(a.slot.starts_at)),
                *([(_("Where"), a.offer.place)] if a.offer.place else []),
                *([(_("What to bring"), a.offer.description)] if a.offer.description else []),
            ],
            submission=lambda a: a.note,
            expected_by=lambda a: None,
            answers=("call_off",),
            act=lambda a, name: services.citizen_cancel(a),
            may_act=lambda a: a.slot.starts_at > timezone.now(),
        ),
        HomeVisit: PublicView(
            title=lambda v: str(_("Home visit in %(village)s") % {"village": v.village.name}),
            is_open=lambda v: v.is_open,
            details=lambda v: [
                (_("Village"), v.village.name),
                (_("Who is to be visited"), v.person),
                *(
                    [(_("Visit on"), timezone.localtime(v.scheduled_for))]
                    if v.scheduled_for
                    else []
                ),
            ],
            submission=lambda v: v.need,
            answers=("decline",),
        ),
    },
    demo=DemoBuilder(build=demo.build, order=60, county=demo.build_county),
    indicators=[
        Indicator(
            "service.villages_covered",
            _("villages with an officer (一村一警)"),
            _("villages"),
            selectors.covered,
        ),
        Indicator(
            "service.appointments",
            _("appointments booked"),
            pgettext_lazy("unit of count", "appointments"),
            selectors.appointments,
            rows=selectors.booked,
        ),
        Indicator(
            "service.holiday_appointments",
            _("holiday appointments booked"),
            pgettext_lazy("unit of count", "appointments"),
            selectors.holiday_appointments,
            rows=selectors.booked_on_holidays,
        ),
        Indicator(
            "service.home_visits",
            _("home visits requested"),
            _("visits"),
            selectors.home_visits,
            rows=selectors.visits_asked,
        ),
        Indicator(
            "service.home_visits_done",
            _("home visits made"),
            _("visits"),
            selectors.home_visits_done,
            rows=selectors.visits_made,
        ),
        Indicator(
            "service.volunteer_activities",
            _("volunteer services"),
            _("times"),
            selectors.volunteer_activities,
            rows=selectors.volunteering,
            records=lambda unit, start, end: (
                f"{reverse('service:activity_list')}?unit={unit.pk}&start={start}&end={end}"
            ),
        ),
        Indicator(
            "service.volunteer_participations",
            _("officers' participations in volunteer services"),
            _("person-times"),
            selectors.volunteer_participations,
        ),
        Indicator(
            "service.volunteer_hours",
            _("volunteer service hours"),
            _("person-hours"),
            selectors.volunteer_hours,
        ),
        Indicator(
            "service.measures",
            _("convenience measures launched"),
            pgettext_lazy("unit of count", "measures"),
            selectors.measures,
            rows=selectors.launched,
        ),
        Indicator(
            "service.measures_done",
            _("convenience measures completed"),
            pgettext_lazy("unit of count", "measures"),
            selectors.measures_done,
        ),
    ],
    bench_pages=[
        BenchPage("/village-officer/"),
        BenchPage("/appointments/"),
        # The busiest booking page: the county's ID card window, its horizon of days.
        BenchPage(_booking_page),
        BenchPage("/commitments/"),
        BenchPage("/staff/service/villages/", who=COMMITTEES),
        BenchPage("/staff/service/appointments/", who=COMMITTEES),
        BenchPage("/staff/service/figures/", who=COMMITTEES),
    ],
    audited=[
        Audited(VillagePost),
        Audited(VillageGroup),
        Audited(Offer),
        Audited(CalendarDay),
        Audited(Opening),
        Audited(
            Appointment,
            {"mask_fields": ["name", "note"], "exclude_fields": ["phone", "phone_hash"]},
        ),
        Audited(
            HomeVisit,
            {
                "mask_fields": ["person", "need", "requester"],
                "exclude_fields": ["phone", "phone_hash", "address"],
            },
        ),
        Audited(VolunteerActivity),
        Audited(Measure),
        Audited(MeasureUpdate),
    ],
)
