"""`{% agreement_room_blocks agreement %}`: an agreement's MICE room blocks with their pickup by
night and attrition (`admin/agreements/_room_blocks.html`), for the agreement's performance page
and its change page. The caller has checked that the agreement is in the reader's sight."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from guanxi.agreements.blocks import agreement_blocks
from guanxi.agreements.models import Agreement

register = template.Library()

TEMPLATE = "admin/agreements/_room_blocks.html"


@register.inclusion_tag(TEMPLATE)
def agreement_room_blocks(
    agreement: Agreement, as_of: dt.date | None = None, links: bool = True
) -> dict[str, Any]:
    return {"room_blocks": agreement_blocks(agreement, as_of=as_of), "block_links": links}
