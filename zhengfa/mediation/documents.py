"""The 调解协议书 (人民调解法 Arts. 28–29): the parties' particulars, the facts, issues and
responsibility, the agreed terms with the manner and period of performance, and the places
for the parties' signatures or fingerprints, the mediator's signature and the seal. One
layout for the .docx and the printable page (``mediation/agreement_print.html``)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhengfa.core.masking import mask_id_number

from .models import Agreement, Party


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[str]


def _party_line(party: Party) -> str:
    parts = [f"{party.get_role_display()}:{party.name}"]
    if party.id_number:
        parts.append(
            (_("Credit code: %(n)s") if party.is_organisation else _("ID number: %(n)s"))
            % {"n": party.id_number if party.is_organisation else mask_id_number(party.id_number)}
        )
    if party.address:
        parts.append(_("Address: %(a)s") % {"a": party.address})
    return ",".join(parts)


def sections(agreement: Agreement) -> tuple[str, str, list[Section], list[str]]:
    """(organisation, number, sections, signature lines) of the agreement."""
    case = agreement.case
    parties = list(Party.objects.filter(case=case).order_by("role", "pk"))
    body = [
        Section(_("Parties"), [_party_line(p) for p in parties]),
        Section(_("Facts, issues and responsibility"), agreement.issues.splitlines()),
        Section(_("Agreed terms"), agreement.terms.splitlines()),
        Section(_("Manner and period of performance"), agreement.performance.splitlines()),
    ]
    if agreement.oral:
        body.append(Section(_("Note"), [_("The parties agreed orally; the mediator recorded it.")]))
    signatures = [
        _("%(role)s (signature or fingerprint): %(name)s")
        % {"role": p.get_role_display(), "name": p.name}
        for p in parties
    ]
    signatures += [
        _("Mediator (signature): %(name)s")
        % {"name": agreement.by.display_name if agreement.by else ""},
        _("%(org)s (seal)") % {"org": agreement.organisation.name},
        _("Date: %(day)s") % {"day": agreement.agreed_on.strftime("%Y年%m月%d日")},
    ]
    return agreement.organisation.name, case.number, body, signatures


def agreement_docx(agreement: Agreement) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    organisation, number, body, signatures = sections(agreement)
    document = Document()
    title = document.add_heading(_("Mediation agreement"), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (organisation, number):
        paragraph = document.add_paragraph(text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for section in body:
        document.add_heading(section.heading, level=2)
        for line in section.lines:
            if line.strip():
                document.add_paragraph(line.strip())
    document.add_paragraph(
        _(
            "This agreement is made in %(n)d copies: one for each party and one kept by the "
            "mediation organisation."
        )
        % {"n": Party.objects.filter(case=agreement.case).count() + 1}
    )
    for line in signatures:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
