from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from zhengfa.core.generic import transition_view, workflow_page
from zhengfa.core.scope import get_scoped_or_404

from . import services
from .models import Case


def _page(request: HttpRequest, case: Case, **page: Any) -> HttpResponse:
    return workflow_page(
        request,
        "testapp/case_detail.html",
        case,
        url_name="testapp:case_transition",
        case=case,
        **page,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_scoped_or_404(Case, request.user, pk=pk))


case_transition = transition_view(Case, apply=services.case_transition, page=_page)
