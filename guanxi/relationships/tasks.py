"""The relationships' nightly step (`workspace.tasks.NIGHTLY_STEPS`):

- `relationship_health`: recompute every mapped account's stored coverage score and risks as
  of the new day (time alone changes them: "no touchpoint for 60 days"), before renewal risk
  and the deal odds read them.
"""

from __future__ import annotations

from guanxi.core.jobs import recorded_task
from guanxi.relationships.health import health_refresh_all

relationship_health_job = health_refresh_all

relationship_health = recorded_task("relationship_health")(relationship_health_job)
