"""Text-message backends, in the manner of Django's e-mail backends. Chosen by SMS_BACKEND."""

from __future__ import annotations

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
    pass


class BaseBackend:
    def send(self, to: str, text: str) -> str:
        """Send one message; return the gateway's reference, or raise SmsError."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes messages to standard output (the embedded default)."""

    def send(self, to: str, text: str) -> str:
        sys.stdout.write(f"[SMS to {to[:3]}****{to[-4:]}] {text}\n")
        return "console"


class FileBackend(BaseBackend):
    """Appends messages to SMS_FILE_PATH/sms-YYYYMMDD.log (for a test or training site)."""

    def send(self, to: str, text: str) -> str:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"sms-{timezone.localdate():%Y%m%d}.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(
                json.dumps(
                    {"to": to, "text": text, "at": timezone.now().isoformat()}, ensure_ascii=False
                )
                + "\n"
            )
        return path.name


class HttpGatewayBackend(BaseBackend):
    """POSTs JSON {"to", "text"} to SMS_GATEWAY_URL with basic credentials.

    A 2xx answer with JSON {"id": ...} (or any 2xx) counts as sent; anything else fails.
    """

    def send(self, to: str, text: str) -> str:
        url = settings.SMS_GATEWAY_URL
        if not url.startswith(("https://", "http://")):
            raise SmsError("SMS_GATEWAY_URL must be an http(s) address")
        body = json.dumps({"to": to, "text": text}).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
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
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(str(exc)[:300]) from exc
        try:
            return str(json.loads(payload).get("id", "ok"))
        except (ValueError, AttributeError):
            return "ok"


def get_backend() -> BaseBackend:
    backend: BaseBackend = import_string(settings.SMS_BACKEND)()
    return backend
