from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengfa.core.generic import transition_view
from zhengfa.core.scope import get_scoped_or_404
from zhengfa.core.workflow import timeline_for, transition_panel

from . import services
from .models import Case


def _page(
    request: HttpRequest, case: Case, form: Any = None, failed: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "testapp/case_detail.html",
        {
            "case": case,
            "timeline": timeline_for(case),
            "panel": transition_panel(
                case, request.user, url_name="testapp:case_transition", form=form, failed=failed
            ),
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_scoped_or_404(Case, request.user, pk=pk))


case_transition = transition_view(Case, apply=services.case_transition, page=_page)
