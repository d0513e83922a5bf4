"""What a public form asks of the browser before it is read, without tracking anybody.

- A proof of work (the ALTCHA scheme, the ``altcha`` library): the page carries a signed
  puzzle, the browser finds its answer in a second or two (``zhengfa.js``), and the server
  checks the answer and that it was not used for another form. A script that floods a form
  pays that time for every copy; a person does not notice it.
- A token per form: the same form sent twice (a double tap, a reload) makes one record, and
  the second answer shows the same follow-up code as the first.

Nothing here is stored in the database or tied to a person: the puzzle's answer and the
form's token live in the cache for a few minutes.

    class ReportForm(PublicForm): ...           # adds the hidden `proof` and `submission`
    earlier = challenge.code_sent_for(request)  # a form sent before: its code, or None
    ...save...
    challenge.remember_code(form, code)
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import altcha
from cryptography.fernet import Fernet, InvalidToken
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# Puzzles stay valid this long after the page was shown (a slow writer on a phone).
PUZZLE_SECONDS = 2 * 3600
# A code is shown again for a form sent twice within this time.
ONCE_SECONDS = 10 * 60
TOKEN_FIELD = "submission"  # noqa: S105 - a field name


def _key() -> str:
    return hashlib.sha256(("zf-altcha:" + settings.SECRET_KEY).encode()).hexdigest()


def new_puzzle() -> dict[str, Any]:
    """A signed puzzle for the page (what the browser needs to solve it)."""
    found = altcha.create_challenge_v1(
        altcha.ChallengeOptionsV1(
            hmac_key=_key(),
            max_number=settings.PROOF_OF_WORK_MAX,
            expires=timezone.now() + dt.timedelta(seconds=PUZZLE_SECONDS),
        )
    )
    return {
        "algorithm": found.algorithm,
        "challenge": found.challenge,
        "maxnumber": found.max_number,
        "salt": found.salt,
        "signature": found.signature,
    }


def new_token() -> str:
    """A form's token, as the browser makes one (for tests and the bench)."""
    return secrets.token_urlsafe(24)


def solve(puzzle: dict[str, Any]) -> str:
    """The answer a browser would send (for tests and the bench)."""
    solution = altcha.solve_challenge_v1(
        puzzle["challenge"], puzzle["salt"], puzzle["algorithm"], puzzle["maxnumber"], 0
    )
    assert solution is not None
    payload = {
        "algorithm": puzzle["algorithm"],
        "challenge": puzzle["challenge"],
        "number": solution.number,
        "salt": puzzle["salt"],
        "signature": puzzle["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def _answer_ok(payload: str, token: str) -> bool:
    """A right answer to one of our puzzles, not expired, and not used by another form."""
    try:
        signature = json.loads(base64.b64decode(payload, validate=True))["signature"]
        ok, _error = altcha.verify_solution_v1(payload, _key(), check_expires=True)
    except Exception:  # whatever a crafted answer makes the library raise
        return False
    if not ok:
        return False
    key = "zf-proof:" + hashlib.sha256(str(signature).encode()).hexdigest()[:40]
    # The first form to use it holds it; the same form sent again may use it again.
    if cache.add(key, token, timeout=PUZZLE_SECONDS):
        return True
    return bool(cache.get(key) == token)


class ProofInput(forms.HiddenInput):
    """The hidden answer, with where ``zhengfa.js`` fetches its puzzle (one per visitor, so
    that the page itself can be the same for everyone and kept in the cache)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        from django.urls import reverse

        url = escape(reverse("core:puzzle"))
        waiting = escape(str(_("Checking that a person is sending this…")))
        failed = escape(
            str(
                _(
                    "This phone's browser could not do the check. Please try another browser, "
                    "or call or come to any service window."
                )
            )
        )
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<input type="hidden" name="{escape(name)}" value="" data-proof="{url}" '
            f'data-waiting="{waiting}" data-failed="{failed}">'
            f'<p class="proof-status" aria-live="polite" hidden></p>'
        )


class PublicForm(forms.Form):
    """A public form that asks the browser for a proof of work and carries a token so that
    sending it twice makes one record. The browser makes the token (``zhengfa.js``): the
    page is the same for everyone."""

    proof = forms.CharField(widget=ProofInput, required=False)
    submission = forms.CharField(
        widget=forms.HiddenInput(attrs={"data-token": "1"}), required=False, max_length=64
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields([f for f in self.fields if f not in {"proof", TOKEN_FIELD}])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        token = data.get(TOKEN_FIELD) or ""
        if len(token) < 16:
            raise forms.ValidationError(
                _("The form was not complete. Please open it again and send it."),
                code="no_token",
            )
        if not _answer_ok(data.get("proof") or "", token):
            raise forms.ValidationError(
                _(
                    "The check that a person is sending this did not finish. Please wait a "
                    "moment and press the button again."
                ),
                code="no_proof",
            )
        return data


# --- a form sent twice ---------------------------------------------------------------------


def _token_of(request: HttpRequest) -> str:
    token = request.POST.get(TOKEN_FIELD, "")
    return token if 16 <= len(token) <= 64 else ""


def _once_key(token: str) -> str:
    return "zf-sent:" + hashlib.sha256(("zf-sent:" + token).encode()).hexdigest()[:40]


def _lock(token: str) -> Fernet:
    """The code waits in the cache encrypted under the form's token, which only the browser
    that sent the form holds: the cache alone gives nothing away."""
    digest = hashlib.sha256(("zf-sent-key:" + token + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class DuplicateSubmission(Exception):
    """The same form was sent before (a double tap): the first sending made the record."""


@contextmanager
def made_once(model: type[Any], submission: str) -> Iterator[None]:
    """The block saves a `model` record keyed by its form's `submission` (a unique column):
    if that key was saved before, DuplicateSubmission; the block's writes are undone."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if submission and model._default_manager.filter(submission=submission).exists():
            raise DuplicateSubmission from exc
        raise


def submission_key(form: forms.Form) -> str:
    """What a record keeps of its form's token (a hash, unique): a second insert fails."""
    return hashlib.sha256(("zf-record:" + form.cleaned_data[TOKEN_FIELD]).encode()).hexdigest()


def remember_code(form: forms.Form, code: str) -> None:
    token = form.cleaned_data[TOKEN_FIELD]
    cache.set(_once_key(token), _lock(token).encrypt(code.encode()), ONCE_SECONDS)


def code_sent_for(request: HttpRequest, wait: float = 0.0) -> str | None:
    """The code already issued for the form in this POST, if it was sent before and its
    record is there; waits up to `wait` seconds for the first sending to finish. The code
    is kept before its record commits (``core.submission``): one whose record is not there
    (not yet, or rolled back) is not given."""
    from .followup import find

    token = _token_of(request)
    if not token:
        return None
    until = time.monotonic() + wait
    while True:
        stored = cache.get(_once_key(token))
        if stored is not None:
            try:
                code = _lock(token).decrypt(stored).decode()
            except InvalidToken:
                return None
            if not code or find(code) is not None:  # "": a question sent without a code
                return code
        if time.monotonic() >= until:
            return None
        time.sleep(0.1)
