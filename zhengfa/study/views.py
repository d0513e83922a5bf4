"""Study pages: request handling only. Reads are in selectors, rules in services."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengfa.campaign.models import Campaign
from zhengfa.campaign.selectors import current_campaign
from zhengfa.core.forms import add_service_errors
from zhengfa.core.generic import form_page, is_id, paginate
from zhengfa.core.registry import registry
from zhengfa.core.responses import xlsx_response
from zhengfa.core.scope import get_scoped_or_404, may
from zhengfa.org.access import CHANGE
from zhengfa.org.models import Officer, Unit

from . import exports, qr, selectors, services
from .forms import (
    ActivityForm,
    CancelForm,
    CommentForm,
    ConfirmForm,
    DistributionForm,
    LeaveForm,
    MaterialForm,
    MinutesForm,
    NoteForm,
    PhotosForm,
    RecordsFilterForm,
    ReflectionForm,
    SpeechForm,
    StudiedForm,
    TopicForm,
    activity_initial,
)
from .models import Activity, ActivityStatus, Attendance, Distribution, Material, Reflection, Topic


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _default_period() -> tuple[dt.date, dt.date]:
    """The campaign under way (or the latest one), from its start to its end or today;
    without campaigns, this year so far."""
    campaign = current_campaign()
    if campaign is None:
        return _year_so_far()
    return campaign.starts_on, min(campaign.ends_on, max(timezone.localdate(), campaign.starts_on))


def _year_so_far() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return dt.date(today.year, 1, 1), today


# --- My study ------------------------------------------------------------------------------

# The next activities and the latest topics; a link leads to the rest.
SHOWN = 20


@login_required
@require_GET
def my_study(request: HttpRequest) -> HttpResponse:
    officer = selectors.own_officer(request.user)
    if officer is None:
        raise Http404
    now = timezone.now()
    mine = selectors.my_activities(officer)
    upcoming = list(mine.filter(ends_at__gte=now).order_by("starts_at")[: SHOWN + 1])
    topics = list(selectors.topics_for(officer).order_by("-created_at")[: SHOWN + 1])
    past, query = paginate(request, mine.filter(ends_at__lt=now).order_by("-starts_at"), 30)
    start, end = _year_so_far()
    return render(
        request,
        "study/my_study.html",
        {
            "officer": officer,
            "upcoming": selectors.label_my_attendance(upcoming[:SHOWN]),
            "more_upcoming": len(upcoming) > SHOWN,
            "page": past,
            "past": selectors.label_my_attendance(past),
            "query": query,
            "topics": topics[:SHOWN],
            "more_topics": len(topics) > SHOWN,
            "record": selectors.officer_record(officer, start, end),
        },
    )


# --- Activities -----------------------------------------------------------------------------


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.with_evidence(
        Activity.objects.visible_to(request.user).select_related("type", "unit")
    ).order_by("-starts_at")
    status = request.GET.get("status", "")
    now = timezone.now()
    if status == ActivityStatus.UPCOMING:
        qs = qs.filter(starts_at__gt=now, cancelled=False)
    elif status == ActivityStatus.ENDED:
        qs = qs.filter(ends_at__lt=now, cancelled=False)
    # From a figure of the study records: the activities a unit's subtree held in a period.
    held_by = None
    if is_id(request.GET.get("unit", "")):
        held_by = Unit.objects.visible_to(request.user).filter(pk=request.GET["unit"]).first()
        try:
            start = dt.date.fromisoformat(request.GET.get("start", ""))
            end = dt.date.fromisoformat(request.GET.get("end", ""))
        except ValueError:
            held_by = None
        if held_by is None:
            qs = qs.none()
        else:
            qs = qs.filter(pk__in=selectors.activities_in(held_by, start, end).values("pk"))
            if request.GET.get("category"):
                qs = qs.filter(type__category=request.GET["category"])
    page, query = paginate(request, qs, 30)
    return render(
        request,
        "study/activity_list.html",
        {
            "page": page,
            "rows": [(a, selectors.evidence_of(a)) for a in page],
            "status": status,
            "held_by": held_by,
            "tabs": [(s.value, s.label) for s in (ActivityStatus.UPCOMING, ActivityStatus.ENDED)],
            "query": query,
            "can_organise": services.organiser_units(request.user).exists(),
        },
    )


def _activity_form(
    request: HttpRequest,
    initial: dict[str, Any] | None = None,
    activity: Activity | None = None,
) -> ActivityForm:
    """The activity form; named officers are those of the person's units, and, when
    editing, those already named (whoever named them: a county organiser may name a court
    officer in the bureau's activity, and the bureau may still save it)."""
    units = services.organiser_units(request.user).order_by("path")
    officers = selectors.officers_in(units)
    if activity is not None:
        named = activity.audience_officers.values("pk")
        officers = Officer.objects.filter(
            Q(pk__in=officers.values("pk")) | Q(pk__in=named)
        ).select_related("user", "unit")
    return ActivityForm(
        *_posted(request)[:1],
        units=units,
        officers=officers,
        initial=initial,
        campaigns=Campaign.objects.visible_to(request.user),
    )


def _save_activity(
    request: HttpRequest, form: ActivityForm, activity: Activity | None
) -> Activity | None:
    data = form.cleaned_data
    try:
        return services.activity_save(
            by=request.user,
            activity=activity,
            title=data["title"],
            type=data["type"],
            unit=data["unit"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            held=data["held"],
            campaign=data["campaign"],
            phase=data["phase"],
            audience_units=[(u, data["include_subunits"]) for u in data["audience_units"]],
            audience_officers=list(data["audience_officers"]),
            place=data["place"],
            online_link=data["online_link"],
            speaker=data["speaker"],
            speaker_position=data["speaker_position"],
            expected_count=data["expected_count"],
            required=data["required"],
            allow_walk_ins=data["allow_walk_ins"],
            sign_in_margin=data["sign_in_margin"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    if not services.organiser_units(request.user).exists():
        raise PermissionDenied
    form = _activity_form(
        request, initial={"sign_in_margin": 30, "required": True, "include_subunits": True}
    )
    if request.method == "POST" and form.is_valid():
        activity = _save_activity(request, form, None)
        if activity is not None:
            messages.success(request, _("Activity saved."))
            return redirect("study:activity_detail", pk=activity.pk)
    return form_page(request, form, title=_("New activity"))


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped_or_404(Activity, request.user, CHANGE, pk=pk)
    form = _activity_form(request, initial=activity_initial(activity), activity=activity)
    if request.method == "POST" and form.is_valid() and _save_activity(request, form, activity):
        messages.success(request, _("Activity saved."))
        return redirect("study:activity_detail", pk=activity.pk)
    return form_page(
        request,
        form,
        title=_("Edit activity"),
        back=reverse("study:activity_detail", args=[activity.pk]),
    )


# Each form of the activity page gets its own element ids, so that labels point at the
# right inputs: (context name, form class).
DETAIL_FORMS = {
    "note": NoteForm,
    "speech": SpeechForm,
    "photos": PhotosForm,
    "minutes": MinutesForm,
    "cancel": CancelForm,
    "leave": LeaveForm,
}


def _detail_form(key: str, *args: Any, **kwargs: Any) -> Any:
    return DETAIL_FORMS[key](*args, auto_id=f"id_{key}_%s", **kwargs)


def _detail_page(
    request: HttpRequest, activity: Activity, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    organiser = services.may_organise(request.user, activity)
    officer = selectors.own_officer(request.user)
    audience = selectors.audience_of(activity)
    forms = forms or {}
    unbound: dict[str, dict[str, Any]] = {
        "minutes": {"initial": {"text": activity.minutes}},
        "leave": {"officers": audience},
    }
    context: dict[str, Any] = {
        f"{key}_form": forms.get(key) or _detail_form(key, **unbound.get(key, {}))
        for key in DETAIL_FORMS
    }
    context.update(selectors.activity_page(activity, officer, organiser=organiser))
    context.update(
        {
            "errors": [e for f in forms.values() for e in f.non_field_errors()],
            "audience_count": audience.count(),
        }
    )
    return render(request, "study/activity_detail.html", context, status=status)


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped_or_404(
        Activity.objects.select_related("type", "unit"), request.user, pk=pk
    )
    return _detail_page(request, activity)


def _activity_post(
    request: HttpRequest,
    pk: int,
    key: str,
    action: str,
    call: Any,
    success: str,
    form_kwargs: Any = None,
) -> HttpResponse:
    """A form of the activity page: on success back to the page, else the page with errors.
    `form_kwargs(activity)` gives the form's further arguments."""
    activity = get_scoped_or_404(Activity, request.user, action, pk=pk)
    extra = form_kwargs(activity) if form_kwargs else {}
    form = _detail_form(key, request.POST, request.FILES, **extra)
    if form.is_valid():
        try:
            call(activity, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("study:activity_detail", pk=activity.pk)
    return _detail_page(request, activity, forms={key: form}, status=400)


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_post(
        request,
        pk,
        "cancel",
        CHANGE,
        lambda a, d: services.activity_cancel(activity=a, by=request.user, reason=d["reason"]),
        _("Activity cancelled."),
    )


@login_required
@require_POST
def record_leave(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_post(
        request,
        pk,
        "leave",
        CHANGE,
        lambda a, d: services.record_leave(
            activity=a, officer=d["officer"], reason=d["reason"], by=request.user
        ),
        _("Leave recorded."),
        lambda a: {"officers": selectors.audience_of(a)},
    )


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_post(
        request,
        pk,
        "note",
        "view",
        lambda a, d: services.note_save(
            activity=a, user=request.user, text=d["text"], photos=d["attachments"]
        ),
        _("Saved."),
    )


@login_required
@require_POST
def speech(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_post(
        request,
        pk,
        "speech",
        CHANGE,
        lambda a, d: services.speech_add(
            activity=a, speaker=d["speaker"], summary=d["summary"], by=request.user
        ),
        _("Saved."),
    )


@login_required
@require_POST
def photos(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_post(
        request,
        pk,
        "photos",
        CHANGE,
        lambda a, d: services.photos_add(activity=a, files=d["attachments"], by=request.user),
        _("Saved."),
    )


@login_required
@require_POST
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    return _activity_post(
        request,
        pk,
        "minutes",
        CHANGE,
        lambda a, d: services.minutes_save(
            activity=a, text=d["text"], files=d["attachments"], by=request.user
        ),
        _("Saved."),
    )


# --- Sign-in -------------------------------------------------------------------------------


@login_required
@require_GET
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The projector page: a QR code that changes every minute."""
    activity = get_scoped_or_404(Activity, request.user, CHANGE, pk=pk)
    return render(
        request, "study/activity_qr.html", {"a": activity, **_qr_context(request, activity)}
    )


@login_required
@require_GET
def activity_qr_code(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped_or_404(Activity, request.user, CHANGE, pk=pk)
    response = render(
        request, "study/partials/_qr.html", {"a": activity, **_qr_context(request, activity)}
    )
    response["Cache-Control"] = "no-store"
    return response


def _qr_context(request: HttpRequest, activity: Activity) -> dict[str, Any]:
    token = qr.token_for(activity)
    link = request.build_absolute_uri(reverse("study:checkin", args=[activity.pk, token]))
    return {
        "qr_link": link,
        "qr_data_uri": segno.make(link, error="m").svg_data_uri(scale=8, border=2),
        "present": activity.attendances.filter(status=Attendance.Status.PRESENT).count(),
    }


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Where the scanned code leads: one button to sign in (a link alone never signs anyone in).

    The activity is looked up without scope on purpose: the code on the screen is the
    permission, and a missing activity answers exactly like a forged code. A person not yet
    signed in to the site is sent to sign in first and brought back; the code he opened in
    time stays good in his browser for a few minutes (``qr.OPENED_GRACE``).
    """
    activity = Activity.objects.filter(pk=pk).select_related("type", "unit").first()
    now = timezone.now()
    outcome = qr.check(activity, token, now) if activity is not None else qr.Outcome.FORGED
    if outcome == qr.Outcome.OK:
        assert activity is not None
        if not qr.opened_in_time(request.session, activity, token, now):
            qr.remember_opened(request.session, activity, token, now)
    if not request.user.is_authenticated:  # forged or not, the same answer
        return redirect_to_login(request.get_full_path())
    in_time = activity is not None and qr.opened_in_time(request.session, activity, token, now)
    error = None
    attendance = None
    if outcome == qr.Outcome.FORGED:
        error = _("This sign-in code is not valid. Scan the code on the screen again.")
    elif request.method == "POST":
        assert activity is not None
        try:
            attendance = services.sign_in_by_qr(
                activity=activity, token=token, user=request.user, opened_in_time=in_time
            )
        except ValidationError as exc:
            error = exc.messages[0]
    elif outcome != qr.Outcome.OK and not in_time:
        error = _(
            "This sign-in code has expired. Scan the code on the screen again: it "
            "changes every minute."
        )
    return render(
        request,
        "study/checkin.html",
        # A forged link shows nothing of the activity (any id could be tried).
        {
            "a": None if outcome == qr.Outcome.FORGED else activity,
            "error": error,
            "attendance": attendance,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's tick list: sign people in by hand (the rules are the service's)."""
    activity = get_scoped_or_404(Activity, request.user, CHANGE, pk=pk)
    error = None
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("officer") if is_id(i)]
        try:
            n = services.sign_in_by_hand(
                activity=activity,
                # Unscoped on purpose: the service admits the audience, and walk-ins only
                # where allowed and within the organiser's scope.
                officers=list(Officer.objects.filter(pk__in=ids)),
                by=request.user,
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("%(n)d marked present.") % {"n": n})
            return redirect("study:attendance", pk=activity.pk)
    audience = (
        selectors.audience_of(activity)
        .select_related("user", "unit")
        .order_by("unit__path", "staff_number")
    )
    rows = {a.officer_id: a for a in activity.attendances.all()}
    return render(
        request,
        "study/attendance.html",
        {"a": activity, "people": [(o, rows.get(o.pk)) for o in audience], "error": error},
        status=400 if error else 200,
    )


# --- Materials ------------------------------------------------------------------------------


@login_required
@require_GET
def material_list(request: HttpRequest) -> HttpResponse:
    page, query = paginate(
        request, Material.objects.visible_to(request.user).select_related("unit")
    )
    return render(
        request,
        "study/material_list.html",
        {
            "page": page,
            "query": query,
            "can_publish": services.organiser_units(request.user).exists(),
            "to_confirm": Distribution.objects.visible_to(request.user, CHANGE)
            .filter(confirmed_at__isnull=True)
            .count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def material_create(request: HttpRequest) -> HttpResponse:
    units = services.organiser_units(request.user).order_by("path")
    if not units.exists():
        raise PermissionDenied
    form = MaterialForm(*_posted(request)[:1], units=units)
    if request.method == "POST" and form.is_valid():
        material = services.material_create(by=request.user, **form.cleaned_data)
        return redirect("study:material_detail", pk=material.pk)
    return form_page(request, form, title=_("New material"))


def _distribution_units(material: Material) -> Any:
    # The publisher's own subtree; only someone who may organise there gets to use it.
    return Unit.objects.within(material.unit).order_by("path")


def _material_page(
    request: HttpRequest,
    material: Material,
    dist_form: Any = None,
    studied_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    organiser = services.may_organise_at(request.user, material.unit)
    return render(
        request,
        "study/material_detail.html",
        {
            **selectors.material_page(
                material, selectors.own_officer(request.user), organiser=organiser
            ),
            "dist_form": dist_form or DistributionForm(units=_distribution_units(material)),
            "studied_form": studied_form or StudiedForm(),
        },
        status=status,
    )


@login_required
@require_GET
def material_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _material_page(request, get_scoped_or_404(Material, request.user, pk=pk))


@login_required
@require_POST
def material_distribute(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_scoped_or_404(Material, request.user, pk=pk)
    if not services.may_organise_at(request.user, material.unit):
        raise PermissionDenied
    form = DistributionForm(request.POST, units=_distribution_units(material))
    if form.is_valid():
        try:
            services.distribution_record(material=material, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Distribution recorded."))
            return redirect("study:material_detail", pk=material.pk)
    return _material_page(request, material, dist_form=form, status=400)


@login_required
@require_POST
def material_studied(request: HttpRequest, pk: int) -> HttpResponse:
    material = get_scoped_or_404(Material, request.user, pk=pk)
    form = StudiedForm(request.POST)
    if form.is_valid():
        try:
            services.online_study_mark(
                material=material, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Marked as studied."))
            return redirect("study:material_detail", pk=material.pk)
    return _material_page(request, material, studied_form=form, status=400)


@login_required
@require_GET
def distribution_list(request: HttpRequest) -> HttpResponse:
    rows = (
        Distribution.objects.visible_to(request.user)
        .select_related("material", "unit")
        .order_by("-distributed_on", "-pk")
    )
    page, query = paginate(request, rows)
    confirmable = Distribution.objects.visible_to(request.user, CHANGE).filter(
        pk__in=[d.pk for d in page]
    )
    return render(
        request,
        "study/distribution_list.html",
        {
            "page": page,
            "query": query,
            "confirmable": set(confirmable.values_list("pk", flat=True)),
        },
    )


@login_required
@require_POST
def distribution_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    distribution = get_scoped_or_404(Distribution, request.user, CHANGE, pk=pk)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.distribution_confirm(
                distribution=distribution,
                by=request.user,
                received_by=form.cleaned_data["received_by"],
            )
            messages.success(request, _("Receipt confirmed."))
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
    else:
        messages.error(request, _("Give the name of the person who received them."))
    return redirect("study:distribution_list")


# --- 大家谈 ---------------------------------------------------------------------------------


@login_required
@require_GET
def topic_list(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, Topic.objects.visible_to(request.user).select_related("unit"))
    return render(
        request,
        "study/topic_list.html",
        {
            "page": page,
            "query": query,
            "can_create": services.organiser_units(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_create(request: HttpRequest) -> HttpResponse:
    units = services.organiser_units(request.user).order_by("path")
    if not units.exists():
        raise PermissionDenied
    form = TopicForm(*_posted(request)[:1], units=units)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("study:topic_detail", pk=topic.pk)
    return form_page(request, form, title=_("New topic"))


def _topic_page(
    request: HttpRequest, topic: Topic, form: Any = None, status: int = 200
) -> HttpResponse:
    officer = selectors.own_officer(request.user)
    mine = officer and topic.reflections.filter(officer=officer).first()
    readable = selectors.reflections_readable(topic, request.user)
    page, query = paginate(request, readable)
    # Completion by unit is for those who read beyond their own reflection.
    show_completion = may(request.user, CHANGE, topic) or readable.exclude(officer=officer).exists()
    return render(
        request,
        "study/topic_detail.html",
        {
            "t": topic,
            "mine": mine,
            "may_reflect": bool(officer and officer.unit.is_within(topic.unit)),
            "form": form
            or ReflectionForm(
                initial={"shortcomings": mine.shortcomings, "plans": mine.plans} if mine else None
            ),
            "page": page,
            "query": query,
            "completion": selectors.reflection_completion(topic) if show_completion else [],
        },
        status=status,
    )


@login_required
@require_GET
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _topic_page(request, get_scoped_or_404(Topic, request.user, pk=pk))


@login_required
@require_POST
def reflection_submit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_scoped_or_404(Topic, request.user, pk=pk)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_submit(topic=topic, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your reflection is saved."))
            return redirect("study:topic_detail", pk=topic.pk)
    return _topic_page(request, topic, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def reflection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_scoped_or_404(
        Reflection.objects.select_related("officer__user", "topic", "unit"), request.user, pk=pk
    )
    may_comment = may(request.user, CHANGE, reflection)
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_comment:
            raise PermissionDenied
        if form.is_valid():
            services.reflection_comment(
                reflection=reflection, by=request.user, text=form.cleaned_data["text"]
            )
            return redirect("study:reflection_detail", pk=reflection.pk)
    return render(
        request,
        "study/reflection_detail.html",
        {
            "r": reflection,
            "comments": reflection.comments.select_related("author"),
            "form": form,
            "may_comment": may_comment,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Records and figures ----------------------------------------------------------------------


def _records_scope(request: HttpRequest) -> tuple[RecordsFilterForm, Unit, dt.date, dt.date]:
    units = services.organiser_units(request.user).order_by("depth", "path")
    unit = units.first()
    if unit is None:
        raise Http404
    start, end = _default_period()
    # The boxes always show the dates the figures are for (ISO, as date inputs need).
    data = request.GET.copy()
    for key, value in (("start", start), ("end", end)):
        if not data.get(key):
            data[key] = value.isoformat()
    form = RecordsFilterForm(data, units=units.order_by("path"))
    if form.is_valid():
        unit = form.cleaned_data["unit"] or unit
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    return form, unit, start, end


FIGURES_SECONDS = 5 * 60


@login_required
@require_GET
def records(request: HttpRequest) -> HttpResponse:
    form, unit, start, end = _records_scope(request)
    page, query = paginate(request, selectors.officers_of(unit, request.user))
    per_officer = selectors.officer_records(list(page), start, end)
    study_indicators = [i for i in registry.indicators.values() if i.name.startswith("study.")]
    # The unit's figures add up a whole subtree's year (a province: millions of sign-ins);
    # they are the same for everyone who sees the unit, so they are kept a few minutes.
    key = f"zf-study-figures:{unit.pk}:{start}:{end}"
    kept = cache.get(key)
    if kept is None:
        kept = {
            "values": [
                (i.name, i.compute(unit, start, end), i.records_url(unit, start, end))
                for i in study_indicators
            ],
            "per_unit": selectors.figures_by_unit(unit, start, end),
            "at": timezone.now(),
        }
        cache.set(key, kept, FIGURES_SECONDS)
    return render(
        request,
        "study/records.html",
        {
            "form": form,
            "unit": unit,
            "start": start,
            "end": end,
            "figures": [
                (registry.indicators[name], value, url) for name, value, url in kept["values"]
            ],
            "per_unit": kept["per_unit"],
            "figures_at": kept["at"],
            "page": page,
            "officers": [(o, per_officer[o.pk]) for o in page],
            "query": query,
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def records_export(request: HttpRequest) -> HttpResponse:
    """Per-officer study records of the chosen unit and dates, as .xlsx."""
    _form, unit, start, end = _records_scope(request)
    content = exports.records_workbook(selectors.officers_of(unit, request.user), start, end)
    name = _("Study records %(start)s to %(end)s") % {"start": start, "end": end}
    return xlsx_response(content, f"{name}.xlsx")


@login_required
@require_GET
def officer_record(request: HttpRequest, pk: int) -> HttpResponse:
    officer = get_scoped_or_404(Officer.objects.select_related("user", "unit"), request.user, pk=pk)
    start, end = _year_so_far()
    with contextlib.suppress(ValueError):  # a bad date keeps the start of the year
        asked = dt.date.fromisoformat(request.GET.get("start", ""))
        if 1950 <= asked.year <= 2100:
            start = asked
    return render(
        request,
        "study/officer_record.html",
        {
            "officer": officer,
            "start": start,
            "end": end,
            "record": selectors.officer_record(officer, start, end),
            "attendances": selectors.officer_attendances(officer, start, end),
        },
    )
