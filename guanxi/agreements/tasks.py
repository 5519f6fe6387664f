"""The agreements' nightly steps (`workspace.tasks.NIGHTLY_STEPS`):

- `agreement_facts`: before tiering, hand tiers what tier rules read of the agreements (an
  active strategic agreement, commitment attained %);
- `renewal_risk`: after the analysis, score the agreements ending within the renewal window
  and store the scores Today and the renewal pages read.
"""

from __future__ import annotations

from guanxi.agreements.renewal import agreement_facts_refresh, renewal_risk_refresh
from guanxi.core.jobs import recorded_task

agreement_facts_job = agreement_facts_refresh
renewal_risk_job = renewal_risk_refresh

agreement_facts = recorded_task("agreement_facts")(agreement_facts_job)
renewal_risk = recorded_task("renewal_risk")(renewal_risk_job)
