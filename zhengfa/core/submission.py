"""The sending of a public form that makes a record followed by a code (a report, an
application, a booking, a request for a visit), the same in every module:

    def view(request):
        if request.method == "POST":
            early = submission.before_reading(
                request, done="app:done", refused=lambda why: render(..., status=429)
            )
            if early is not None:
                return early                 # sent before: its code page; or too many
        form = TheForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            sent = submission.submit(
                request, form, done="app:done", already=_("This ... was already sent."),
                create=lambda key: services.make(..., submission=key),
                text=lambda code: followup.text_code(phone=..., code=code, what=...),
            )
            if sent is not None:
                return sent                  # the code page (or the first sending's)
        return render(..., status=400 if request.method == "POST" else 200)

The service raises ``challenge.DuplicateSubmission`` when the form's key was used before
(the same form sent twice at once): the second answer waits for the first one's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from . import challenge, followup, ratelimit
from .forms import add_service_errors


def to_code_page(done: str, code: str, texted_to: str = "") -> HttpResponse:
    """To the page (URL name `done`) that shows the code once."""
    response = redirect(done)
    followup.remember_for_display(response, code, texted_to=texted_to)
    return response


def before_reading(
    request: HttpRequest, *, done: str, refused: Callable[[str], HttpResponse]
) -> HttpResponse | None:
    """A POST, before its form is read: the same form sent before goes to its code page;
    past the rate limit, `refused(message)` (the page again, with what he wrote)."""
    earlier = challenge.code_sent_for(request)
    if earlier is not None:
        return to_code_page(done, earlier)
    why = ratelimit.submissions_refused(request)
    if why:
        return refused(why)
    return None


def submit(
    request: HttpRequest,
    form: Any,
    *,
    create: Callable[[str], tuple[Any, str]],
    done: str,
    already: str,
    text: Callable[[str], str] | None = None,
) -> HttpResponse | None:
    """A valid form: `create(submission key)` makes the record and its code, then the code
    page (`text(code)` sends it by text and returns the masked number). The same form sent
    twice at once: the first sending's code page. Refused by the service: None, with the
    reasons at the form."""
    try:
        # The record and the text that carries its code commit together: a crash between
        # them would leave a record whose citizen got neither the code page nor the text.
        # The code is kept for a second sending before the commit, so that one cut off right
        # after it still finds its code (a code of a rolled-back record is not shown).
        with transaction.atomic():
            _record, code = create(challenge.submission_key(form))
            texted_to = text(code) if text else ""
            challenge.remember_code(form, code)
    except challenge.DuplicateSubmission:
        earlier = challenge.code_sent_for(request, wait=3.0)
        if earlier is not None:
            return to_code_page(done, earlier)
        messages.info(request, already)
        return redirect("portal:query")
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    return to_code_page(done, code, texted_to)
