"""The agreements' nightly steps (`workspace.tasks.NIGHTLY_STEPS`):

- `agreements_expire`: agreements past their last day expire, or are renewed when they renew
  automatically (first: the steps after it read which agreements are in force);
- `rebate_accruals`: before the analysis, post every rebate schedule's accrued rebate as cost to
  serve, which lifetime profit (CLP) subtracts;
- `agreement_facts`: before tiering, hand tiers what tier rules read of the agreements (an
  active strategic agreement, commitment attained %);
- `renewal_risk`: after the analysis, score the agreements ending within the renewal window
  and store the scores Today and the renewal pages read.
"""

from __future__ import annotations

from guanxi.agreements import services
from guanxi.agreements.rebates import rebate_accruals_post
from guanxi.agreements.renewal import agreement_facts_refresh, renewal_risk_refresh
from guanxi.core.jobs import recorded_task

agreements_expire_job = services.agreements_expire
rebate_accruals_job = rebate_accruals_post
agreement_facts_job = agreement_facts_refresh
renewal_risk_job = renewal_risk_refresh

agreements_expire = recorded_task("agreements_expire")(agreements_expire_job)
rebate_accruals = recorded_task("rebate_accruals")(rebate_accruals_job)
agreement_facts = recorded_task("agreement_facts")(agreement_facts_job)
renewal_risk = recorded_task("renewal_risk")(renewal_risk_job)
