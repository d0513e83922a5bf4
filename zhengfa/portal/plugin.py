"""What the portal plugs in: the follow-up query, and its pages for the bench."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhengfa.core.registry import BenchPage, Plugin, PublicEntry

PLUGIN = Plugin(
    name="portal",
    public_entries=[
        PublicEntry(
            label=_("Check progress"),
            url_name="portal:query",
            description=_("Enter your follow-up code to see how your request is going"),
            order=90,
        ),
    ],
    bench_pages=[
        BenchPage("/"),
        BenchPage("/healthz"),
        BenchPage("/query/"),
        BenchPage("/query/", method="post", form=lambda: {"code": "AAAA-BBBB-CCCC"}),
    ],
)
