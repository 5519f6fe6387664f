"""/api/plans: account plans (一企一策) with goals and their progress, actions and reviews."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["plans"])
