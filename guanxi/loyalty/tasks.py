"""The loyalty app's nightly steps (`workspace.tasks.NIGHTLY_STEPS`), after the analysis and the
tiering (they read the night's scores):

- `warning_lights`: raise and clear the warning lights of every rule (`lights.lights_evaluate`);
- `loyalty_matrix`: every account's loyalty cell (`matrix.loyalty_matrix_refresh`);
- `referral_asks`: a referral-ask task for each promoter due one (`referral_asks_create`).
"""

from __future__ import annotations

from guanxi.core.jobs import recorded_task
from guanxi.loyalty.lights import lights_evaluate
from guanxi.loyalty.matrix import loyalty_matrix_refresh
from guanxi.loyalty.referrals import referral_asks_create

warning_lights_job = lights_evaluate
loyalty_matrix_job = loyalty_matrix_refresh
referral_asks_job = referral_asks_create

warning_lights = recorded_task("warning_lights")(warning_lights_job)
loyalty_matrix = recorded_task("loyalty_matrix")(loyalty_matrix_job)
referral_asks = recorded_task("referral_asks")(referral_asks_job)
