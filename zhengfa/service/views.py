from __future__ import annotations

import io
from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from zhengfa.core.attachments import serve
from zhengfa.core.generic import form_page, form_post, paginate
from zhengfa.core.pagecache import public_page
from zhengfa.core.scope import grant_for
from zhengfa.org.directory import county_asked
from zhengfa.org.models import Area, AreaLevel, Officer, OfficerStatus, Unit

from . import selectors, services
from .forms import AssignForm, GroupForm
from .models import DEFAULT_DUTIES, VillageGroup, VillagePost

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
        "code_shown": group is not None
        and group.code_valid
        and services.group_code(group) is not None,
    }


@require_GET
def group_code(request: HttpRequest, pk: int) -> FileResponse:
    """The village group's join code, while it is valid."""
    group = get_object_or_404(VillageGroup, village_id=pk)
    found = services.group_code(group)
    if not group.code_valid or found is None:
        raise Http404
    response = serve(found)
    response["Cache-Control"] = "no-store"
    return response


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
        for p in VillagePost.objects.filter(
            village__in=[v.pk for v in page], ends_on__isnull=True
        ).select_related("officer__user", "officer__unit")
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
            lambda d: services.post_assign(village=village, by=request.user, **d),
            done=_("Assigned."),
            to=back,
            again=lambda f: form_page(request, f, title=title, status=400),
        )
    return form_page(request, form, title=title, back=back)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_object_or_404(Area, pk=pk, level=AreaLevel.VILLAGE)
    if not services.may_keep_group(request.user, village):
        # Someone else's village: as if it did not exist.
        if not selectors.villages_of(request.user).filter(pk=pk).exists():
            raise Http404
        raise PermissionDenied
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
