"""/api/relationships: an account's buying centre, relationship stages, organisation relationship,
coverage and risks, and the map as SVG."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["relationships"])
