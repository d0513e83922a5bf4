from __future__ import annotations

import contextlib
import datetime as dt
import io
from typing import Any, cast

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from zhengfa.core.attachments import attachments_of
from zhengfa.core.forms import add_service_errors
from zhengfa.core.responses import xlsx_response
from zhengfa.core.scope import get_scoped_or_404
from zhengfa.org.models import Officer, Unit

from . import qr, selectors, services
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
)
from .models import (
    Activity,
    Attendance,
    Distribution,
    Material,
    Note,
    Reflection,
    Topic,
    audience_filter,
)


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _officer(request: HttpRequest) -> Officer | None:
    if not request.user.is_authenticated:
        return None
    return Officer.objects.filter(user=cast(Any, request.user)).select_related("unit").first()


# --- My study ------------------------------------------------------------------------------


@login_required
@require_GET
def my_study(request: HttpRequest) -> HttpResponse:
    officer = _officer(request)
    if officer is None:
        raise Http404
    now = timezone.now()
    mine = (
        Activity.objects.filter(audience_filter(officer), cancelled=False)
        .distinct()
        .select_related("type", "unit")
    )
    attended = {a.activity_id: a for a in Attendance.objects.filter(officer=officer)}
    noted = set(Note.objects.filter(officer=officer).values_list("activity_id", flat=True))
    upcoming = list(mine.filter(ends_at__gte=now).order_by("starts_at")[:20])
    past = list(mine.filter(ends_at__lt=now).order_by("-starts_at")[:30])
    for a in upcoming + past:
        a.my_attendance = attended.get(a.pk)  # type: ignore[attr-defined]
        a.my_note = a.pk in noted  # type: ignore[attr-defined]
    topics = Topic.objects.filter(unit__pk__in=[int(p) for p in officer.unit.path.split(".") if p])
    done_topics = set(Reflection.objects.filter(officer=officer).values_list("topic_id", flat=True))
    year_start = dt.date(timezone.localdate().year, 1, 1)
    return render(
        request,
        "study/my_study.html",
        {
            "officer": officer,
            "upcoming": upcoming,
            "past": past,
            "topics": [(t, t.pk in done_topics) for t in topics.order_by("-created_at")[:10]],
            "record": selectors.officer_record(officer, year_start, timezone.localdate()),
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
    if status == "upcoming":
        qs = qs.filter(starts_at__gt=now, cancelled=False)
    elif status == "ended":
        qs = qs.filter(ends_at__lt=now, cancelled=False)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [(a, selectors.evidence_of(a)) for a in page]
    return render(
        request,
        "study/activity_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "query": f"status={status}" if status else "",
            "can_organise": services.organiser_units(request.user).exists(),
        },
    )


def _activity_form(request: HttpRequest, initial: dict[str, Any] | None = None) -> ActivityForm:
    units = services.organiser_units(request.user).order_by("path")
    officers = Officer.objects.filter(unit__in=units, status="active").select_related(
        "user", "unit"
    )
    from zhengfa.campaign.models import Campaign

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
    return render(
        request,
        "study/activity_form.html",
        {"form": form, "activity": None},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped_or_404(Activity, request.user, "change", pk=pk)
    au = list(activity.audience_units.select_related("unit"))
    tz = timezone.get_current_timezone()
    form = _activity_form(
        request,
        initial={
            "title": activity.title,
            "type": activity.type,
            "unit": activity.unit,
            "campaign": activity.campaign,
            "phase": activity.phase,
            "held": activity.status != "upcoming",
            "starts_at": activity.starts_at.astimezone(tz),
            "ends_at": activity.ends_at.astimezone(tz),
            "place": activity.place,
            "online_link": activity.online_link,
            "speaker": activity.speaker,
            "speaker_position": activity.speaker_position,
            "audience_units": [a.unit for a in au],
            "include_subunits": all(a.include_subunits for a in au) if au else True,
            "audience_officers": list(activity.audience_officers.all()),
            "expected_count": activity.expected_count,
            "required": activity.required,
            "allow_walk_ins": activity.allow_walk_ins,
            "sign_in_margin": activity.sign_in_margin,
        },
    )
    if request.method == "POST" and form.is_valid() and _save_activity(request, form, activity):
        messages.success(request, _("Activity saved."))
        return redirect("study:activity_detail", pk=activity.pk)
    return render(
        request,
        "study/activity_form.html",
        {"form": form, "activity": activity},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped_or_404(Activity, request.user, "change", pk=pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.activity_cancel(
                activity=activity, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Activity cancelled."))
            return redirect("study:activity_detail", pk=activity.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _detail_page(request, activity, forms={"cancel": form}, status=400)


def _detail_page(
    request: HttpRequest, activity: Activity, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    organiser = services.may_organise(request.user, activity)
    officer = _officer(request)
    my_attendance = (
        Attendance.objects.filter(activity=activity, officer=officer).first() if officer else None
    )
    audience = selectors.audience_of(activity)
    forms = forms or {}
    context = {
        "errors": [e for f in forms.values() for e in f.non_field_errors()],
        "a": activity,
        "evidence": selectors.evidence_of(activity),
        "organiser": organiser,
        "attendances": activity.attendances.select_related(
            "officer__user", "officer__unit"
        ).order_by("status", "officer__unit__path")
        if organiser
        else [],
        "audience_count": audience.count(),
        "photos": attachments_of(activity, "photo"),
        "minutes_files": attachments_of(activity, "minutes"),
        "speeches": activity.speeches.all(),
        "my_attendance": my_attendance,
        "my_note": Note.objects.filter(activity=activity, officer=officer).first()
        if officer
        else None,
        "note_form": forms.get("note") or NoteForm(),
        "speech_form": forms.get("speech") or SpeechForm(),
        "photos_form": forms.get("photos") or PhotosForm(),
        "minutes_form": forms.get("minutes") or MinutesForm(initial={"text": activity.minutes}),
        "cancel_form": forms.get("cancel") or CancelForm(),
        "leave_form": forms.get("leave") or LeaveForm(officers=audience),
    }
    return render(request, "study/activity_detail.html", context, status=status)


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped_or_404(
        Activity.objects.select_related("type", "unit"), request.user, pk=pk
    )
    return _detail_page(request, activity)


@login_required
@require_GET
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The projector page: a QR code that changes every minute."""
    activity = get_scoped_or_404(Activity, request.user, "change", pk=pk)
    return render(
        request, "study/activity_qr.html", {"a": activity, **_qr_context(request, activity)}
    )


@login_required
@require_GET
def activity_qr_code(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped_or_404(Activity, request.user, "change", pk=pk)
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


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Where the scanned code leads: one button to sign in (a link alone never signs anyone in)."""
    activity = Activity.objects.filter(pk=pk).select_related("type", "unit").first()
    if activity is None:
        # The same answer as a forged code: ids cannot be probed through this page.
        return render(
            request,
            "study/checkin.html",
            {
                "a": None,
                "attendance": None,
                "error": _("This sign-in code is not valid. Scan the code on the screen again."),
            },
            status=400,
        )
    error = None
    attendance = None
    if request.method == "POST":
        try:
            attendance = services.sign_in_by_qr(activity=activity, token=token, user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
    else:
        outcome = qr.check(activity, token)
        if outcome != "ok":
            error = (
                _("This sign-in code is not valid. Scan the code on the screen again.")
                if outcome == "forged"
                else _(
                    "This sign-in code has expired. Scan the code on the screen again: it "
                    "changes every minute."
                )
            )
    # A forged link shows nothing of the activity (any id could be tried).
    show = attendance is not None or qr.check(activity, token) != "forged"
    return render(
        request,
        "study/checkin.html",
        {"a": activity if show else None, "error": error, "attendance": attendance},
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's tick list: sign people in by hand."""
    activity = get_scoped_or_404(Activity, request.user, "change", pk=pk)
    audience = (
        selectors.audience_of(activity)
        .select_related("user", "unit")
        .order_by("unit__path", "staff_number")
    )
    error = None
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("officer") if i.isascii() and i.isdecimal()]
        chosen = list(audience.filter(pk__in=ids))
        if activity.allow_walk_ins:
            chosen += list(
                Officer.objects.visible_to(request.user)
                .filter(pk__in=ids)
                .exclude(pk__in=[o.pk for o in chosen])
            )
        try:
            n = services.sign_in_by_hand(activity=activity, officers=chosen, by=request.user)
            messages.success(request, _("%(n)d marked present.") % {"n": n})
            return redirect("study:attendance", pk=activity.pk)
        except ValidationError as exc:
            error = exc.messages[0]
    rows = {a.officer_id: a for a in activity.attendances.all()}
    return render(
        request,
        "study/attendance.html",
        {
            "a": activity,
            "people": [(o, rows.get(o.pk)) for o in audience],
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def record_leave(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_scoped_or_404(Activity, request.user, "change", pk=pk)
    form = LeaveForm(request.POST, officers=selectors.audience_of(activity))
    if form.is_valid():
        try:
            services.record_leave(
                activity=activity,
                officer=form.cleaned_data["officer"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
            messages.success(request, _("Leave recorded."))
            return redirect("study:activity_detail", pk=activity.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _detail_page(request, activity, forms={"leave": form}, status=400)


def _evidence_post(
    request: HttpRequest, pk: int, key: str, form_class: Any, action: str, call: Any
) -> HttpResponse:
    activity = get_scoped_or_404(Activity, request.user, action, pk=pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            call(activity, form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("study:activity_detail", pk=activity.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _detail_page(request, activity, forms={key: form}, status=400)


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    return _evidence_post(
        request,
        pk,
        "note",
        NoteForm,
        "view",
        lambda a, d: services.note_save(
            activity=a, user=request.user, text=d["text"], photos=d["attachments"]
        ),
    )


@login_required
@require_POST
def speech(request: HttpRequest, pk: int) -> HttpResponse:
    return _evidence_post(
        request,
        pk,
        "speech",
        SpeechForm,
        "change",
        lambda a, d: services.speech_add(
            activity=a, speaker=d["speaker"], summary=d["summary"], by=request.user
        ),
    )


@login_required
@require_POST
def photos(request: HttpRequest, pk: int) -> HttpResponse:
    return _evidence_post(
        request,
        pk,
        "photos",
        PhotosForm,
        "change",
        lambda a, d: services.photos_add(activity=a, files=d["attachments"], by=request.user),
    )


@login_required
@require_POST
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    return _evidence_post(
        request,
        pk,
        "minutes",
        MinutesForm,
        "change",
        lambda a, d: services.minutes_save(
            activity=a, text=d["text"], files=d["attachments"], by=request.user
        ),
    )


# --- Materials ------------------------------------------------------------------------------


@login_required
@require_GET
def material_list(request: HttpRequest) -> HttpResponse:
    materials = Material.objects.visible_to(request.user).select_related("unit")
    return render(
        request,
        "study/material_list.html",
        {
            "materials": materials,
            "can_publish": services.organiser_units(request.user).exists(),
            "to_confirm": Distribution.objects.visible_to(request.user, "change")
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
    return render(request, "study/material_form.html", {"form": form})


def _material_page(
    request: HttpRequest,
    material: Material,
    dist_form: Any = None,
    studied_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    organiser = services.organiser_units(request.user).filter(pk=material.unit_id).exists()
    officer = _officer(request)
    return render(
        request,
        "study/material_detail.html",
        {
            "m": material,
            "organiser": organiser,
            "distributions": material.distributions.select_related("unit") if organiser else [],
            "total": sum(d.copies for d in material.distributions.all()) if organiser else 0,
            "dist_form": dist_form
            or DistributionForm(
                units=Unit.objects.filter(path__startswith=material.unit.path).order_by("path")
            ),
            "studied_form": studied_form or StudiedForm(),
            "my_study": material.studies.filter(officer=officer).first() if officer else None,
            "study_count": material.studies.count(),
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
    if not services.organiser_units(request.user).filter(pk=material.unit_id).exists():
        raise PermissionDenied
    form = DistributionForm(
        request.POST, units=Unit.objects.filter(path__startswith=material.unit.path)
    )
    if form.is_valid():
        try:
            services.distribution_record(material=material, by=request.user, **form.cleaned_data)
            messages.success(request, _("Distribution recorded."))
            return redirect("study:material_detail", pk=material.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
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
            messages.success(request, _("Marked as studied."))
            return redirect("study:material_detail", pk=material.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _material_page(request, material, studied_form=form, status=400)


@login_required
@require_GET
def distribution_list(request: HttpRequest) -> HttpResponse:
    rows = Distribution.objects.visible_to(request.user).select_related("material", "unit")
    return render(
        request,
        "study/distribution_list.html",
        {
            "rows": rows[:200],
            "form": ConfirmForm(),
            "confirmable": set(
                Distribution.objects.visible_to(request.user, "change").values_list("pk", flat=True)
            ),
        },
    )


@login_required
@require_POST
def distribution_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    distribution = get_scoped_or_404(Distribution, request.user, "change", pk=pk)
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
    return render(
        request,
        "study/topic_list.html",
        {
            "topics": Topic.objects.visible_to(request.user).select_related("unit"),
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
            return redirect("study:topic_detail", pk=topic.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "study/topic_form.html", {"form": form})


def _topic_page(
    request: HttpRequest, topic: Topic, form: Any = None, status: int = 200
) -> HttpResponse:
    officer = _officer(request)
    mine = Reflection.objects.filter(topic=topic, officer=officer).first() if officer else None
    readable = (
        Reflection.objects.visible_to(request.user)
        .filter(topic=topic)
        .select_related("officer__user", "unit")
        .order_by("unit__path", "-submitted_at")
    )
    return render(
        request,
        "study/topic_detail.html",
        {
            "t": topic,
            "mine": mine,
            "may_reflect": bool(officer and officer.unit.path.startswith(topic.unit.path)),
            "form": form
            or ReflectionForm(
                initial={"shortcomings": mine.shortcomings, "plans": mine.plans} if mine else None
            ),
            "reflections": readable[:200],
            "completion": selectors.reflection_completion(topic)
            if Topic.objects.visible_to(request.user, "change").filter(pk=topic.pk).exists()
            or readable.exclude(officer=officer).exists()
            else [],
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
            messages.success(request, _("Your reflection is saved."))
            return redirect("study:topic_detail", pk=topic.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return _topic_page(request, topic, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def reflection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_scoped_or_404(
        Reflection.objects.select_related("officer__user", "topic", "unit"), request.user, pk=pk
    )
    may_comment = (
        Reflection.objects.visible_to(request.user, "change").filter(pk=reflection.pk).exists()
    )
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
    units = services.organiser_units(request.user).order_by("path")
    if not units.exists():
        raise Http404
    form = RecordsFilterForm(request.GET or None, units=units)
    today = timezone.localdate()
    unit = units.order_by("depth", "path").first()
    assert unit is not None
    start, end = dt.date(today.year, 1, 1), today
    if form.is_valid():
        unit = form.cleaned_data["unit"] or unit
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    return form, unit, start, end


@login_required
@require_GET
def records(request: HttpRequest) -> HttpResponse:
    form, unit, start, end = _records_scope(request)
    per_unit = []
    for u in Unit.objects.filter(path__startswith=unit.path, depth__lte=unit.depth + 1).order_by(
        "path"
    ):
        per_unit.append(
            {
                "unit": u,
                "sessions": selectors.activities_in(u, start, end).count(),
                "person_times": selectors.person_times(u, start, end),
                "participation": selectors.participation_rate(u, start, end),
                "evidence": selectors.evidence_completeness(u, start, end),
            }
        )
    return render(
        request,
        "study/records.html",
        {
            "form": form,
            "unit": unit,
            "start": start,
            "end": end,
            "figures": selectors.article_figures(unit, start, end),
            "by_type": selectors.sessions_by_type(unit, start, end),
            "per_unit": per_unit,
            "officers": Officer.objects.filter(unit__path__startswith=unit.path, status="active")
            .select_related("user", "unit")
            .order_by("unit__path", "staff_number")[:100],
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def records_export(request: HttpRequest) -> HttpResponse:
    """Per-officer study records of the chosen unit and dates, as .xlsx."""
    _form, unit, start, end = _records_scope(request)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(_("Study records")))
    ws.append(
        [
            str(_("Name")),
            str(_("Unit")),
            str(_("Staff or police number")),
            str(_("Attended")),
            str(_("Hours")),
            str(_("Leave")),
            str(_("Notes")),
            str(_("Reflections")),
            str(_("Studied online")),
        ]
    )
    officers = (
        Officer.objects.filter(unit__path__startswith=unit.path, status="active")
        .select_related("user", "unit")
        .order_by("unit__path", "staff_number")
    )
    for o in officers:
        rec = selectors.officer_record(o, start, end)
        ws.append(
            [
                o.user.display_name,
                o.unit.name,
                o.staff_number,
                rec["attended"],
                rec["hours"],
                rec["leave"],
                rec["notes"],
                rec["reflections"],
                rec["online"],
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return xlsx_response(out.getvalue(), f"study-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


@login_required
@require_GET
def officer_record(request: HttpRequest, pk: int) -> HttpResponse:
    officer = get_scoped_or_404(Officer.objects.select_related("user", "unit"), request.user, pk=pk)
    today = timezone.localdate()
    start = dt.date(today.year, 1, 1)
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
            "end": today,
            "record": selectors.officer_record(officer, start, today),
        },
    )
