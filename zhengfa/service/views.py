from __future__ import annotations

import datetime as dt
import io
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.core import followup, submission
from zhengfa.core.attachments import attachments_of, serve
from zhengfa.core.forms import add_service_errors
from zhengfa.core.generic import form_page, form_post, paginate, transition_view, workflow_page
from zhengfa.core.models import Attachment
from zhengfa.core.pagecache import public_page
from zhengfa.core.scope import can, get_scoped_or_404, grant_for, may, subtree_q
from zhengfa.core.workflow import start_of_day
from zhengfa.org.directory import county_asked
from zhengfa.org.forms import UnitPeriodForm
from zhengfa.org.models import Area, AreaLevel, Officer, OfficerStatus, Unit

from . import selectors, services
from .calendar import holiday_name, is_working_day
from .calendar import known as calendar_known
from .forms import (
    ActivityForm,
    AppointmentFilterForm,
    AssignForm,
    BookingForm,
    CalendarDayForm,
    GroupForm,
    HomeVisitForm,
    MeasureForm,
    MeasureUpdateForm,
    OfferForm,
    OpeningForm,
    PostForm,
    PublicHomeVisitForm,
    ScheduleForm,
    VisitDoneForm,
)
from .models import (
    DEFAULT_DUTIES,
    Appointment,
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
    serving_today,
)

# --- The public: find my village officer (找村警) ---------------------------------------------


def _county_area(county: Unit | None) -> Area | None:
    if county is None:
        return Area.objects.filter(level=AreaLevel.COUNTY).order_by("code").first()
    return county.areas.filter(level=AreaLevel.COUNTY).first()


@require_GET
@public_page
def find(request: HttpRequest) -> HttpResponse:
    """Choose the township (on a province's site, the county first)."""
    asked = county_asked(request.GET, first_visit=True)
    title = _("Find my village officer")
    if asked.ask:
        return render(
            request, "org/county_choice.html", {"counties": asked.counties, "title": title}
        )
    county = _county_area(asked.county)
    townships = (
        Area.objects.filter(level=AreaLevel.TOWNSHIP, parent=county).order_by("code")
        if county is not None
        else Area.objects.none()
    )
    return render(request, "service/find.html", {"townships": townships, "county": county})


@require_GET
@public_page
def place(request: HttpRequest, pk: int) -> HttpResponse:
    """A township: its villages; a village: its officer and group."""
    area = get_object_or_404(Area, pk=pk, level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE])
    if area.level == AreaLevel.TOWNSHIP:
        villages = area.children.filter(level=AreaLevel.VILLAGE).order_by("code")
        return render(request, "service/township.html", {"township": area, "villages": villages})
    return render(request, "service/village.html", _village_context(area))


def _village_context(village: Area) -> dict[str, Any]:
    post = services.current_post(village)
    group = VillageGroup.objects.filter(village=village).first()
    return {
        "village": village,
        "post": post,
        "duties": (post.duties if post and post.duties else DEFAULT_DUTIES),
        "group": group,
        "photo": services.officer_photo(post) if post else None,
        "code_shown": group is not None
        and group.code_valid
        and services.group_code(group) is not None,
    }


@require_GET
def group_code(request: HttpRequest, pk: int) -> FileResponse:
    """The village group's join code, while it is valid."""
    village = get_object_or_404(Area, pk=pk, level=AreaLevel.VILLAGE)
    group = get_object_or_404(VillageGroup, village=village)
    found = services.group_code(group)
    if not group.code_valid or found is None:
        raise Http404
    response = serve(found)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def officer_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The photo of the village's present officer, if one was given."""
    village = get_object_or_404(Area, pk=pk, level=AreaLevel.VILLAGE)
    post = services.current_post(village)
    found = services.officer_photo(post) if post else None
    if found is None:
        raise Http404
    return serve(found)


@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    """A contact card to print and post in the village, with a QR code to the village's page."""
    village = get_object_or_404(Area, pk=pk, level=AreaLevel.VILLAGE)
    link = request.build_absolute_uri(reverse("service:place", args=[village.pk]))
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
    return render(
        request,
        "service/card.html",
        {**_village_context(village), "qr_svg": buffer.getvalue().decode(), "link": link},
    )


# --- Staff: the villages and their officers -----------------------------------------------------


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    if not grant_for(request.user, "service", "view").paths:
        raise PermissionDenied
    every = selectors.villages_of(request.user)
    villages = every
    uncovered = request.GET.get("show") == "uncovered"
    if uncovered:
        villages = selectors.without_officer(villages)
    page, query = paginate(request, villages)
    posts = {
        p.village_id: p
        for p in VillagePost.objects.filter(serving_today(), village__in=[v.pk for v in page])
        .order_by("starts_on")
        .select_related("officer__user", "officer__unit")
    }
    groups = {
        g.village_id: g for g in VillageGroup.objects.filter(village__in=[v.pk for v in page])
    }
    rows = [(v, posts.get(v.pk), groups.get(v.pk)) for v in page]
    return render(
        request,
        "service/coverage.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "uncovered": uncovered,
            "without": selectors.without_officer(every).count(),
            "heavy": selectors.heavy_officers(request.user),
            "many": selectors.MANY_VILLAGES,
        },
    )


def _village_in_scope(request: HttpRequest, pk: int) -> Area:
    village = selectors.villages_of(request.user).filter(pk=pk).first()
    if village is None:
        raise Http404
    return village


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village_in_scope(request, pk)
    units = Unit.objects.granted_to(request.user, "service", "change").filter(
        areas__in=[village.pk, village.parent_id]
    )
    if not units.exists():
        raise PermissionDenied
    officers = (
        Officer.objects.filter(unit__in=units, status=OfficerStatus.ACTIVE)
        .select_related("user", "unit")
        .order_by("unit__path", "staff_number")
    )
    post = services.current_post(village)
    form = AssignForm(
        request.POST or None,
        request.FILES or None,
        officers=officers,
        initial={
            "starts_on": timezone.localdate(),
            "duties": post.duties if post else "",
            "office_hours": post.office_hours if post else "",
        },
    )
    title = _("Village officer of %(village)s") % {"village": village.name}
    back = reverse("service:coverage")
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.post_assign(
                village=village,
                by=request.user,
                **{**d, "photo": d["photo"][0] if d["photo"] else None},
            ),
            done=_("Assigned."),
            to=back,
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=back)


def _kept_village(request: HttpRequest, pk: int) -> Area:
    """A village whose officer's page and group the person keeps (the officer, or his unit's
    staff); someone else's village answers as if it did not exist, one in scope 403."""
    village = get_object_or_404(Area, pk=pk, level=AreaLevel.VILLAGE)
    if not services.may_keep_group(request.user, village):
        if not selectors.villages_of(request.user).filter(pk=pk).exists():
            raise Http404
        raise PermissionDenied
    return village


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The village officer's duties, hours and photo: by him or his unit's staff."""
    village = _kept_village(request, pk)
    post = services.current_post(village)
    assert post is not None  # may_keep_group needs one
    form = PostForm(
        request.POST or None,
        request.FILES or None,
        initial={"duties": post.duties, "office_hours": post.office_hours},
    )
    title = _("Village officer of %(village)s") % {"village": village.name}
    back = reverse("service:place", args=[village.pk])
    if request.method == "POST":

        def save(d: dict[str, Any]) -> Any:
            photos = d.pop("photo")
            return services.post_update(
                post=post, by=request.user, photo=photos[0] if photos else None, **d
            )

        return form_post(
            request,
            form,
            save,
            done=_("Saved."),
            to=back,
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=back)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    village = _kept_village(request, pk)
    group = VillageGroup.objects.filter(village=village).first()
    form = GroupForm(
        request.POST or None,
        request.FILES or None,
        initial={"name": group.name, "members": group.members}
        if group
        else {"name": f"{village.name}群"},
    )
    title = _("Village group of %(village)s") % {"village": village.name}
    if request.method == "POST":

        def save(d: dict[str, Any]) -> Any:
            images = d.pop("code_image")
            return services.group_save(
                village=village, by=request.user, code_image=images[0] if images else None, **d
            )

        return form_post(
            request,
            form,
            save,
            done=_("Saved."),
            to=reverse("service:place", args=[village.pk]),
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=reverse("service:place", args=[village.pk]))


# --- The public: appointments (预约服务) ------------------------------------------------------


@require_GET
@public_page
def book_start(request: HttpRequest) -> HttpResponse:
    """The services that take appointments, by unit (on a province's site, the county first)."""
    asked = county_asked(request.GET, first_visit=True)
    title = _("Book an appointment")
    if asked.ask:
        return render(
            request, "org/county_choice.html", {"counties": asked.counties, "title": title}
        )
    offers = Offer.objects.filter(active=True).select_related("unit").order_by("unit__code", "pk")
    if asked.county is not None:
        offers = offers.filter(unit__path__startswith=asked.county.path)
    units: dict[Any, list[Offer]] = {}
    for offer in offers:
        units.setdefault(offer.unit, []).append(offer)
    return render(request, "service/book_start.html", {"units": units, "county": asked.county})


def _day_asked(request: HttpRequest, offer: Offer, days: list[dict[str, Any]]) -> dt.date | None:
    """The day asked for, if it lies within the booking horizon; by default the first day
    with places."""
    raw = (request.POST if request.method == "POST" else request.GET).get("day", "")
    try:
        day = dt.date.fromisoformat(raw[:10])
    except ValueError:
        return days[0]["day"] if days and not raw else None
    today = timezone.localdate()
    if not today <= day <= today + dt.timedelta(days=offer.horizon_days):
        return None
    return day


@require_http_methods(["GET", "POST"])
@public_page
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """One service: the days with places, a day's times, and the booking form."""
    offer = get_object_or_404(Offer.objects.select_related("unit"), pk=pk, active=True)
    days = services.days_open(offer)
    day = _day_asked(request, offer, days)
    now = timezone.now()
    slots = (
        [
            s
            for s in services.slots_on(offer, day)
            if s.left and not services.bookable(offer, s.starts_at, now)
        ]
        if day is not None
        else []
    )
    context: dict[str, Any] = {
        "offer": offer,
        "days": days,
        "day": day,
        "holiday_name": holiday_name(day) if day else "",
        "holiday": day is not None and not is_working_day(day),
    }
    if request.method == "POST":
        early = submission.before_reading(
            request,
            done="service:book_done",
            refused=lambda why: render(
                request,
                "service/book.html",
                {
                    **context,
                    "form": BookingForm(initial=request.POST.dict(), slots=slots),
                    "refused": why,
                },
                status=429,
            ),
        )
        if early is not None:
            return early
    form = BookingForm(request.POST if request.method == "POST" else None, slots=slots)
    if request.method == "POST" and day is None:
        form.add_error(None, _("Choose a day first."))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at = dt.datetime.fromisoformat(data["slot"]).replace(
            tzinfo=timezone.get_current_timezone()
        )
        booked: list[Appointment] = []

        def create(key: str) -> tuple[Appointment, str]:
            appointment, code = services.book(
                offer=offer,
                starts_at=starts_at,
                name=data["name"],
                phone=data["phone"],
                note=data["note"],
                submission=key,
            )
            booked.append(appointment)
            return appointment, code

        sent = submission.submit(
            request,
            form,
            create=create,
            done="service:book_done",
            already=_("This booking was already sent. Its follow-up code was shown after sending."),
            text=lambda code: followup.text_code(
                phone=data["phone"],
                code=code,
                what=_("Appointment booked: %(what)s")
                % {"what": services.appointment_text(booked[0])},
            ),
        )
        if sent is not None:
            return sent
    status = 400 if request.method == "POST" else 200
    return render(request, "service/book.html", {**context, "form": form}, status=status)


@require_GET
def book_done(request: HttpRequest) -> HttpResponse:
    return followup.confirmation(
        request,
        _("Your appointment is booked."),
        use=_(
            "This is your follow-up code. With it you see your appointment under “Check "
            "progress” and can cancel it there."
        ),
    )


# --- The public: home visits (上门服务) -------------------------------------------------------


def _county_villages(county: Unit | None) -> Any:
    area = _county_area(county)
    if area is None:
        return Area.objects.none()
    return (
        Area.objects.filter(level=AreaLevel.VILLAGE, parent__parent=area)
        .select_related("parent")
        .order_by("code")
    )


@require_http_methods(["GET", "POST"])
@public_page
def visit_apply(request: HttpRequest) -> HttpResponse:
    """A request for an officer to come to someone who cannot travel."""
    asked = county_asked(
        request.POST if request.method == "POST" else request.GET,
        first_visit=request.method == "GET",
    )
    title = _("Ask for a home visit")
    if asked.ask:
        return render(
            request, "org/county_choice.html", {"counties": asked.counties, "title": title}
        )
    villages = _county_villages(asked.county)
    where: dict[str, Any] = {"county": asked.county, "several": asked.several}
    if request.method == "POST":
        early = submission.before_reading(
            request,
            done="service:visit_apply_done",
            refused=lambda why: render(
                request,
                "service/visit_apply.html",
                {
                    "form": PublicHomeVisitForm(initial=request.POST.dict(), villages=villages),
                    "refused": why,
                    **where,
                },
                status=429,
            ),
        )
        if early is not None:
            return early
    village = request.GET.get("village", "")
    form = PublicHomeVisitForm(
        request.POST if request.method == "POST" else None,
        villages=villages,
        initial={"village": village} if village.isdigit() else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sent = submission.submit(
            request,
            form,
            create=lambda key: services.visit_request(
                submission=key,
                **{k: v for k, v in data.items() if k not in {"proof", "submission"}},
            ),
            done="service:visit_apply_done",
            already=_("This request was already sent. Its follow-up code was shown after sending."),
            text=lambda code: followup.text_code(
                phone=data["phone"], code=code, what=_("Request for a home visit received.")
            ),
        )
        if sent is not None:
            return sent
    status = 400 if request.method == "POST" else 200
    return render(request, "service/visit_apply.html", {"form": form, **where}, status=status)


@require_GET
def visit_apply_done(request: HttpRequest) -> HttpResponse:
    return followup.confirmation(
        request, _("Your request has been received. The village officer will call you.")
    )


# --- The public: the county's convenience measures (惠民便民措施) ------------------------------


@require_GET
@public_page
def measures_public(request: HttpRequest) -> HttpResponse:
    asked = county_asked(request.GET, first_visit=True)
    title = _("Our convenience measures")
    if asked.ask:
        return render(
            request, "org/county_choice.html", {"counties": asked.counties, "title": title}
        )
    measures = Measure.objects.filter(parent__isnull=True).select_related("unit")
    if asked.county is not None:
        measures = measures.filter(unit__path__startswith=asked.county.path)
    return render(
        request,
        "service/measures_public.html",
        {"measures": measures.prefetch_related("parts"), "county": asked.county},
    )


@require_GET
@public_page
def measure_public(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.select_related("unit", "parent"), pk=pk)
    return render(request, "service/measure_public.html", _measure_context(measure))


def _measure_context(measure: Measure) -> dict[str, Any]:
    """A measure and its history: its own dated steps, or those of its parts."""
    updates = list(
        MeasureUpdate.objects.filter(Q(measure=measure) | Q(measure__parent=measure))
        .select_related("measure")
        .order_by("-on", "-pk")
    )
    photos: dict[int, list[Any]] = {}
    for a in Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(MeasureUpdate),
        object_id__in=[u.pk for u in updates],
    ).order_by("pk"):
        photos.setdefault(a.object_id, []).append(a)
    return {
        "measure": measure,
        "parts": measure.parts.select_related("unit"),
        "updates": [(u, photos.get(u.pk, [])) for u in updates],
    }


@require_GET
def measure_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo of a measure's progress: public, as the measure is."""
    attachment = get_object_or_404(
        Attachment, pk=pk, content_type=ContentType.objects.get_for_model(MeasureUpdate)
    )
    return serve(attachment)


# --- Staff: appointments ----------------------------------------------------------------------

APPOINTMENTS = Appointment.objects.select_related("offer", "slot", "unit")


@login_required
@require_GET
def appointment_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "service", "view"):
        raise PermissionDenied
    qs = Appointment.objects.visible_to(request.user).select_related("offer", "slot", "unit")
    filters = AppointmentFilterForm(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["day"]:
            qs = qs.filter(
                slot__starts_at__gte=start_of_day(data["day"]),
                slot__starts_at__lt=start_of_day(data["day"] + dt.timedelta(days=1)),
            )
        if data["state"]:
            qs = qs.filter(state=data["state"])
        if data["holiday"]:
            qs = qs.filter(holiday=True)
    if not request.GET:
        qs = qs.filter(slot__starts_at__gte=start_of_day(timezone.localdate()))
        ordering = ["slot__starts_at", "pk"]
    else:
        ordering = ["-slot__starts_at", "pk"]
    page, query = paginate(request, qs.order_by(*ordering))
    return render(
        request,
        "service/appointment_list.html",
        {"page": page, "query": query, "filters": filters, "upcoming": not request.GET},
    )


def _appointment_page(
    request: HttpRequest, appointment: Appointment, form: Any = None, status: int = 200
) -> HttpResponse:
    return workflow_page(
        request,
        "service/appointment_detail.html",
        appointment,
        url_name="service:appointment_transition",
        form=form,
        status=status,
        appointment=appointment,
        may_reveal=may(request.user, "reveal", appointment),
    )


@login_required
@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _appointment_page(request, get_scoped_or_404(APPOINTMENTS, request.user, pk=pk))


appointment_transition = transition_view(
    APPOINTMENTS, apply=services.appointment_transition, page=_appointment_page
)


@login_required
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "service", "view"):
        raise PermissionDenied
    offers = Offer.objects.visible_to(request.user).select_related("unit")
    page, query = paginate(request, offers.order_by("unit__path", "kind", "pk"))
    return render(
        request,
        "service/offer_list.html",
        {"page": page, "query": query, "may_add": can(request.user, "service", "change")},
    )


def _service_units(user: Any) -> Any:
    return Unit.objects.granted_to(user, "service", "change").order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    offer = get_scoped_or_404(Offer, request.user, "change", pk=pk) if pk else None
    units = _service_units(request.user)
    if offer is None and not units.exists():
        raise PermissionDenied
    form = OfferForm(request.POST or None, instance=offer, units=units)
    title = _("Service for appointments") if offer is None else str(offer)
    if request.method == "POST":

        def save(d: dict[str, Any]) -> Any:
            return services.offer_save(offer=form.save(commit=False), by=request.user)

        return form_post(
            request,
            form,
            save,
            done=_("Saved."),
            to=reverse("service:offer_list") if offer is None else offer.get_absolute_url(),
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=reverse("service:offer_list"))


@login_required
@require_http_methods(["GET", "POST"])
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An offer's hours, weekly and for holidays, and a form to add hours."""
    offer = get_scoped_or_404(Offer.objects.select_related("unit"), request.user, pk=pk)
    may_change = may(request.user, "change", offer)
    form = OpeningForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.opening_add(offer=offer, by=request.user, opening=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(offer.get_absolute_url())
        status = 400
    today = timezone.localdate()
    openings = offer.openings.all()
    return render(
        request,
        "service/offer_detail.html",
        {
            "offer": offer,
            "weekly": [o for o in openings if o.day is None],
            "holidays": [
                o for o in openings if o.day is not None and o.day >= today and not o.closed
            ],
            "form": form,
            "may_change": may_change,
            "next_days": [
                {
                    "day": d,
                    "holiday": not is_working_day(d),
                    "name": holiday_name(d),
                    "slots": slots,
                }
                for d, slots in services.plan(offer, today, today + dt.timedelta(days=6)).items()
            ],
            "closures": [o for o in openings if o.closed and o.day and o.day >= today],
            "unknown_year": next(
                (
                    d.year
                    for d in (today, today + dt.timedelta(days=offer.horizon_days))
                    if not calendar_known(d)
                ),
                None,
            ),
        },
        status=status,
    )


@login_required
@require_POST
def opening_delete(request: HttpRequest, pk: int) -> HttpResponse:
    opening = get_scoped_or_404(
        Opening.objects.select_related("offer__unit"), request.user, "change", pk=pk
    )
    try:
        services.opening_remove(opening=opening, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Removed."))
    return redirect(opening.offer.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def calendar_days(request: HttpRequest) -> HttpResponse:
    """The county's corrections and additions to China's holiday calendar (e.g. next year's
    holidays once the State Council publishes them), kept by the committee."""
    if not can(request.user, "service", "view"):
        raise PermissionDenied
    may_change = can(request.user, "service", "assign")
    form = CalendarDayForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if "remove" in request.POST:
            services.calendar_day_remove(pk=request.POST.get("remove", ""), by=request.user)
            messages.success(request, _("Removed."))
            return redirect("service:calendar")
        if form.is_valid():
            try:
                services.calendar_day_save(day=form.save(commit=False), by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("service:calendar")
        status = 400
    today = timezone.localdate()
    horizon = [today.replace(year=today.year + i, month=1, day=1) for i in (0, 1)]
    return render(
        request,
        "service/calendar.html",
        {
            "days": CalendarDay.objects.filter(day__gte=today - dt.timedelta(days=31)),
            "form": form,
            "may_change": may_change,
            "unknown": [d.year for d in horizon if not calendar_known(d)],
        },
        status=status,
    )


# --- Staff: home visits -----------------------------------------------------------------------

VISITS = HomeVisit.objects.select_related("village__parent", "unit", "officer__user")


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "homevisit", "view"):
        raise PermissionDenied
    qs = HomeVisit.objects.visible_to(request.user).select_related(
        "village__parent", "unit", "officer__user"
    )
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.open()
    elif state in HomeVisitState.values:
        qs = qs.filter(state=state)
    page, query = paginate(request, qs.order_by("-created_at", "-pk"))
    return render(
        request,
        "service/visit_list.html",
        {
            "page": page,
            "query": query,
            "state": state,
            "states": HomeVisitState.choices,
            "may_add": can(request.user, "homevisit", "change")
            or selectors.visit_villages(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    """An officer asks for a visit on someone's behalf (a neighbour told him, a phone call)."""
    villages = selectors.visit_villages(request.user)
    if not villages.exists():
        raise PermissionDenied
    form = HomeVisitForm(request.POST or None, villages=villages)
    title = _("Ask for a home visit")
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.visit_request(by=request.user, **d),
            done=_("Saved."),
            to=reverse("service:visit_list"),
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=reverse("service:visit_list"))


def _visit_officers(visit: HomeVisit) -> Any:
    return (
        Officer.objects.filter(unit__path__startswith=visit.unit.path, status=OfficerStatus.ACTIVE)
        .select_related("user", "unit")
        .order_by("unit__path", "staff_number")
    )


def _visit_page(
    request: HttpRequest,
    visit: HomeVisit,
    form: Any = None,
    status: int = 200,
    schedule_form: Any = None,
    done_form: Any = None,
) -> HttpResponse:
    handles = services.may_handle_visit(request.user, visit)
    return workflow_page(
        request,
        "service/visit_detail.html",
        visit,
        url_name="service:visit_transition",
        form=form,
        status=status,
        visit=visit,
        handles=handles and visit.is_open,
        may_reveal=may(request.user, "reveal", visit),
        schedule_form=schedule_form
        or ScheduleForm(
            officers=_visit_officers(visit),
            initial={"officer": visit.officer_id, "when": visit.scheduled_for},
        ),
        done_form=done_form or VisitDoneForm(initial={"visited_on": timezone.localdate()}),
    )


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _visit_page(request, get_scoped_or_404(VISITS, request.user, pk=pk))


visit_transition = transition_view(VISITS, apply=services.visit_transition, page=_visit_page)


@login_required
@require_POST
def visit_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_scoped_or_404(VISITS, request.user, "change", pk=pk)
    form = ScheduleForm(request.POST, officers=_visit_officers(visit))
    return form_post(
        request,
        form,
        lambda d: services.visit_schedule(visit=visit, by=request.user, **d),
        done=_("Recorded: %(step)s.") % {"step": _("Arrange the visit")},
        to=visit.get_absolute_url(),
        again=lambda f: _visit_page(request, visit, status=400, schedule_form=f),
    )


@login_required
@require_POST
def visit_done(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_scoped_or_404(VISITS, request.user, "change", pk=pk)
    form = VisitDoneForm(request.POST, request.FILES)
    return form_post(
        request,
        form,
        lambda d: services.visit_done(visit=visit, by=request.user, **d),
        done=_("Recorded: %(step)s.") % {"step": _("Visited")},
        to=visit.get_absolute_url(),
        again=lambda f: _visit_page(request, visit, status=400, done_form=f),
    )


# --- Staff: volunteer services ----------------------------------------------------------------

ACTIVITIES = VolunteerActivity.objects.select_related("unit")


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "service", "view"):
        raise PermissionDenied
    period, paths, start, end = _period(request, "service")
    qs = VolunteerActivity.objects.visible_to(request.user).filter(
        subtree_q("unit", paths), held_on__gte=start, held_on__lte=end
    )
    page, query = paginate(request, qs.order_by("-held_on", "-pk"))
    return render(
        request,
        "service/activity_list.html",
        {
            "page": page,
            "period_ok": period.is_valid(),
            "query": query,
            "period": period,
            "totals": selectors.volunteer_totals(qs),
            "by_unit": selectors.person_hours_by_unit(qs),
            "by_officer": selectors.person_hours_by_officer(qs)[:20],
            "may_add": can(request.user, "service", "change"),
        },
    )


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped_or_404(ACTIVITIES, request.user, pk=pk)
    return render(
        request,
        "service/activity_detail.html",
        {
            "activity": activity,
            "officers": activity.officers.select_related("user", "unit"),
            "photos": attachments_of(activity).order_by("pk"),
            "may_change": may(request.user, "change", activity),
        },
    )


@login_required
@require_GET
def activity_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    activity = get_scoped_or_404(VolunteerActivity, request.user, pk=pk)
    found = attachments_of(activity).filter(pk=photo).first()
    if found is None:
        raise Http404
    return serve(found)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    activity = get_scoped_or_404(ACTIVITIES, request.user, "change", pk=pk) if pk else None
    units = _service_units(request.user)
    if not units.exists():
        raise PermissionDenied
    officers = (
        Officer.objects.filter(unit__in=Unit.objects.filter(subtree_q("", [u.path for u in units])))
        .filter(status=OfficerStatus.ACTIVE)
        .select_related("user", "unit")
        .order_by("unit__path", "staff_number")
    )
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        instance=activity,
        units=units,
        officers=officers,
    )
    title = _("Volunteer service") if activity is None else str(activity)
    if request.method == "POST":

        def save(d: dict[str, Any]) -> Any:
            return services.activity_save(
                activity=form.save(commit=False),
                officers=list(d["officers"]),
                photos=d["photos"],
                by=request.user,
            )

        return form_post(
            request,
            form,
            save,
            done=_("Saved."),
            to=reverse("service:activity_list"),
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=reverse("service:activity_list"))


# --- Staff: convenience measures --------------------------------------------------------------

MEASURES = Measure.objects.select_related("unit", "parent")


@login_required
@require_GET
def measure_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "measures", "view"):
        raise PermissionDenied
    measures = (
        Measure.objects.visible_to(request.user)
        .select_related("unit", "parent")
        .order_by(
            Coalesce("parent__number", "number"),
            Coalesce("parent_id", "id"),
            F("parent_id").asc(nulls_first=True),
            "pk",
        )
    )
    return render(
        request,
        "service/measure_list.html",
        {"measures": measures, "may_add": can(request.user, "measures", "assign")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    measure = get_scoped_or_404(MEASURES, request.user, "assign", pk=pk) if pk else None
    units = Unit.objects.granted_to(request.user, "measures", "assign")
    if not units.exists():
        raise PermissionDenied
    every = Unit.objects.filter(subtree_q("", [u.path for u in units])).order_by("path")
    parents = Measure.objects.visible_to(request.user, "assign").filter(parent__isnull=True)
    if measure is not None:
        parents = parents.exclude(pk=measure.pk)
    form = MeasureForm(request.POST or None, instance=measure, units=every, parents=parents)
    title = _("Convenience measure") if measure is None else str(measure)
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.measure_save(measure=form.save(commit=False), by=request.user),
            done=_("Saved."),
            to=reverse("service:measure_list"),
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=reverse("service:measure_list"))


@login_required
@require_http_methods(["GET", "POST"])
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure's history, and for its unit's staff the form for the next step."""
    measure = get_scoped_or_404(MEASURES, request.user, pk=pk)
    may_update = services.may_report(request.user, measure) and not measure.parts.exists()
    form = MeasureUpdateForm(
        request.POST or None,
        request.FILES or None,
        initial={"on": timezone.localdate(), "progress": measure.progress, "state": measure.state},
    )
    status = 200
    if request.method == "POST":
        if not services.may_report(request.user, measure):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.measure_update(measure=measure, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(measure.get_absolute_url())
        status = 400
    return render(
        request,
        "service/measure_detail.html",
        {
            **_measure_context(measure),
            "form": form,
            "may_update": may_update,
            "may_edit": may(request.user, "assign", measure),
        },
        status=status,
    )


# --- Staff: figures ---------------------------------------------------------------------------


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "service", "view"):
        raise PermissionDenied
    period, paths, start, end = _period(request, "service")
    return render(
        request,
        "service/figures.html",
        {
            "period": period,
            "start": start,
            "end": end,
            "figures": selectors.figures(request.user, paths, start, end),
        },
        status=200 if period.is_valid() else 400,
    )


def _period(
    request: HttpRequest, domain: str
) -> tuple[UnitPeriodForm, list[str], dt.date, dt.date]:
    """The unit (or all the person's units) and the dates asked for; by default this year so
    far. A wrong entry shows at the form, and the default period is used meanwhile."""
    units = Unit.objects.granted_to(request.user, domain, "view")
    today = timezone.localdate()
    start, end = today.replace(month=1, day=1), today
    form = UnitPeriodForm(request.GET or {"start": start, "end": end}, units=units)
    paths = grant_for(request.user, domain, "view").paths
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"] is not None:
            paths = [data["unit"].path]
        start, end = data["start"] or start, data["end"] or end
    return form, paths, start, end
