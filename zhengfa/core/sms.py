"""Text-message backends, in the manner of Django's e-mail backends. Chosen by SMS_BACKEND."""

from __future__ import annotations

import http.client
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The gateway did not take a message. `transient`: it may take it later (no answer, a
    timeout, its own error or "too many"), so the message is tried again; otherwise (the
    gateway refused it) trying again would not help."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class BaseBackend:
    def send(self, to: str, text: str, key: str) -> str:
        """Send one message; return the gateway's reference, or raise SmsError.

        `key` is the message's idempotency key: a message handed over twice under one key
        (its worker died after sending, before recording it) reaches the phone once."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes messages to standard output (the embedded default)."""

    def send(self, to: str, text: str, key: str) -> str:
        sys.stdout.write(f"[SMS to {to[:3]}****{to[-4:]}] {text}\n")
        return "console"


class FileBackend(BaseBackend):
    """Appends messages to SMS_FILE_PATH/sms-YYYYMMDD.log (for a test or training site),
    once per idempotency key, as a gateway does."""

    def send(self, to: str, text: str, key: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        marker = json.dumps(key)
        for earlier in folder.glob("sms-*.log"):
            if f'"key": {marker}' in earlier.read_text(encoding="utf-8"):
                return earlier.name  # already delivered under this key
        path = folder / f"sms-{timezone.localdate():%Y%m%d}.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(
                json.dumps(
                    {"to": to, "text": text, "key": key, "at": timezone.now().isoformat()},
                    ensure_ascii=False,
                )
                + "\n"
            )
        return path.name


class HttpGatewayBackend(BaseBackend):
    """POSTs JSON {"to", "text", "key"} to SMS_GATEWAY_URL with basic credentials, and the
    key again as the ``Idempotency-Key`` header.

    A 2xx answer with JSON {"id": ...} (or any 2xx) counts as sent. No answer, a 5xx, 408 or
    429 fail for now (tried again, see ``tasks.deliver_sms``); another answer refuses.
    """

    def send(self, to: str, text: str, key: str) -> str:
        url = settings.SMS_GATEWAY_URL
        if not url.startswith(("https://", "http://")):
            raise SmsError("SMS_GATEWAY_URL must be an http(s) address")
        body = json.dumps({"to": to, "text": text, "key": key}).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        if settings.SMS_GATEWAY_USER:
            import base64

            token = base64.b64encode(
                f"{settings.SMS_GATEWAY_USER}:{settings.SMS_GATEWAY_PASSWORD}".encode()
            ).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                payload: Any = response.read(2000)
        except urllib.error.HTTPError as exc:
            later = exc.code >= 500 or exc.code in (408, 429)
            raise SmsError(f"HTTP {exc.code} {exc.reason}"[:300], transient=later) from exc
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            # No answer, or one cut off halfway (it may have been taken: the key tells).
            raise SmsError(f"{type(exc).__name__}: {exc}"[:300], transient=True) from exc
        try:
            return str(json.loads(payload).get("id", "ok"))
        except (ValueError, AttributeError):
            return "ok"


def get_backend() -> BaseBackend:
    backend: BaseBackend = import_string(settings.SMS_BACKEND)()
    return backend
