"""Home-page panels that modules declare (``Plugin.staff_panels`` / ``public_panels``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .registry import Panel


def render_panels(request: HttpRequest, panels: Sequence[Panel]) -> list[SafeString]:
    out = []
    for panel in panels:
        context = panel.context(request)
        if context is not None:
            out.append(SafeString(render_to_string(panel.template, context, request)))
    return out
