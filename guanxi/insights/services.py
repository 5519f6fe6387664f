"""Run the customer-value pipeline over the transaction table and store what it found."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import polars as pl
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from guanxi.analytics.notes import note_of
from guanxi.analytics.pipeline import (
    PIPELINE_STEPS,
    PIPELINE_VERSION,
    PipelineResult,
    PipelineSettings,
    run_pipeline_on_summaries,
)
from guanxi.analytics.streamed import (
    Columns,
    Summaries,
    calibration_end_of,
    summaries_of_slices,
)
from guanxi.core.bulk import analyze, delete_where_in, insert_rows, is_postgres, read_slices
from guanxi.core.errors import ApplicationError
from guanxi.core.replica import read_alias, replica_reads
from guanxi.insights.models import LATEST_ORDER, AccountScore, AnalysisRun, RunStatus
from guanxi.touchpoints.selectors import cost_to_serve as touchpoint_costs
from guanxi.transactions.models import Transaction

CENT = Decimal("0.01")


def _observation_end(as_of: dt.date) -> dt.datetime:
    """The end of ``as_of`` in the server's time zone, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(as_of, dt.time.max))


# The summary's periods as PostgreSQL's date_trunc names them (ISO weeks start on Monday, as
# in `analytics.summary`).
_TRUNC = {"D": "day", "W": "week", "M": "month"}
_COLUMNS = Columns("account_id", "occurred_at", "amount", "cost")


def _read_summaries(
    as_of: dt.date, settings: PipelineSettings, *, progress: bool
) -> Summaries | None:
    """Both per-account summaries the pipeline needs, of every transaction up to the end of
    ``as_of``; None when there is none.

    The ledger arrives ordered by account, in slices (`core.bulk.read_slices`: COPY on
    PostgreSQL), and each slice is summarised and dropped (`analytics.streamed`): memory holds
    one slice and one row per account, never the ledger, whatever its size. On PostgreSQL the
    server first sums each account's transactions per period (and side of the calibration
    end), which is all the summary keeps of them. Times are the server's local time, so a
    purchase at 01:00 Shanghai time counts on its local day; a missing cost counts as 0.
    """
    end = _observation_end(as_of)
    with replica_reads():  # the analysis reads the ledger from the replica when there is one
        using = read_alias(Transaction)
    ledger = Transaction.objects.using(using).filter(occurred_at__lte=end, kind="sale")
    first = ledger.aggregate(first=Min("occurred_at"))["first"]
    if first is None:
        return None
    first_seen = timezone.localtime(first).replace(tzinfo=None)
    local_end = dt.datetime.combine(as_of, dt.time.max)
    sql, params = _ledger_query(end, local_end, first_seen, settings)
    schema = {
        "account_id": pl.Int64,
        "occurred_at": pl.String,
        "amount": pl.Float64,
        "cost": pl.Float64,
        "n": pl.Int64,
    }
    zone = django_settings.TIME_ZONE
    with (
        _planned_as_a_whole_ledger_read(using),
        tqdm(desc=_("Reading transactions"), unit=" rows", disable=not progress) as bar,
    ):

        def typed(frame: pl.DataFrame) -> pl.DataFrame:
            bar.update(frame.height)
            return _typed_slice(frame, local=is_postgres(), zone=zone)

        slices = (typed(f) for f in read_slices(sql, params, schema, using=using))
        return summaries_of_slices(
            slices,
            _COLUMNS,
            observation_end=local_end,
            first_seen=first_seen,
            settings=settings,
            count_col="n",
        )


@contextmanager
def _planned_as_a_whole_ledger_read(using: str) -> Iterator[None]:
    """The read in one transaction that PostgreSQL plans as what it is, a pass over every row:
    a sequential scan and a sort, never the ledger through an index. With an exact row estimate
    the planner takes the sales in account order from the account index — cheap on paper when
    the ledger fits its assumed cache, 10M random heap reads in fact: 180 s against 58 s for
    the scan and sort at 10M rows (benchmarks/README.md); the netting join's misestimate was
    all that kept it off. Index scans stay off for this read only; bitmap scans (the refunds'
    partial index, a refund's latest sale) stay on."""
    db = connections[using]
    with transaction.atomic(using=using):
        if db.vendor != "postgresql":
            yield
            return
        with db.cursor() as cursor:
            cursor.execute("SELECT current_setting('enable_indexscan')")
            (before,) = cursor.fetchone()
            cursor.execute("SELECT set_config('enable_indexscan', 'off', true)")
        # (A larger work_mem was tried: the sort of 10M rows spills 550 MB either way.)
        yield
        # Inside a caller's transaction (a test, a job chaining steps) the setting would last
        # to its end: the caller's own comes back.
        with db.cursor() as cursor:
            cursor.execute("SELECT set_config('enable_indexscan', %s, true)", [before])


# A refund is no purchase: it is netted into the sale it undoes (``refund_of``; else the
# account's latest sale at or before it), so the models see that purchase as smaller, and a
# sale refunded in full (or more) is no purchase at all. Refunds after the observation end are
# not known yet. The value models take amounts ≥ 0 only; this keeps them so. Refunds are few:
# they are read off their own partial index (``tx_refund_account_occurred``; a second scan of
# the whole ledger before), and the join is of the sales with a small grouped set.
_NETTED_SALES = """(
SELECT s.account_id, s.occurred_at, s.amount + COALESCE(r.back, 0) AS amount, s.cost
FROM {table} s
LEFT JOIN (
    SELECT target, SUM(amount) AS back FROM (
        SELECT COALESCE(x.refund_of_id, (
            SELECT p.id FROM {table} p
            WHERE p.account_id = x.account_id AND p.kind = 'sale'
              AND p.occurred_at <= x.occurred_at
            ORDER BY p.occurred_at DESC, p.id DESC LIMIT 1
        )) AS target, x.amount
        FROM {table} x WHERE x.kind = 'refund' AND x.occurred_at <= %s
    ) t GROUP BY target
) r ON r.target = s.id
WHERE s.kind = 'sale' AND s.occurred_at <= %s AND (r.back IS NULL OR s.amount + r.back > 0)
) netted"""


def _ledger_query(
    end: dt.datetime, local_end: dt.datetime, first_seen: dt.datetime, settings: PipelineSettings
) -> tuple[str, list[Any]]:
    """The sales up to ``end``, net of their refunds, ordered by account: on PostgreSQL summed
    per account, local period and side of the calibration end (each row at its earliest time);
    on SQLite (small ledgers) the sales themselves, as UTC text the way Django stores them."""
    source = _NETTED_SALES.format(table=Transaction._meta.db_table)
    if not is_postgres():
        # The casts keep the driver's converters (by declared column type) from making Python
        # datetimes and decimals of every value.
        columns = (
            "account_id, CAST(occurred_at AS TEXT), CAST(amount AS REAL), "
            "CAST(COALESCE(cost, 0) AS REAL), 1"
        )
        bound = connection.ops.adapt_datetimefield_value(end)
        return f"SELECT {columns} FROM {source} ORDER BY account_id", [bound, bound]
    zone = django_settings.TIME_ZONE
    # The pipeline's calibration end (without a holdout check, any bound: one side only).
    cal_end = calibration_end_of(local_end, first_seen, settings) or local_end
    local = "(occurred_at AT TIME ZONE %s)"
    sql = (
        f"SELECT account_id, min{local}, sum(amount), sum(COALESCE(cost, 0)), count(*) "
        f"FROM {source} "
        f"GROUP BY account_id, date_trunc(%s, {local}), {local} <= %s ORDER BY account_id"
    )
    return sql, [zone, end, end, _TRUNC[settings.period], zone, zone, cal_end]


def _typed_slice(frame: pl.DataFrame, *, local: bool, zone: str) -> pl.DataFrame:
    """One slice of the ledger as the pipeline takes it: naive local timestamps (microseconds),
    cost 0 where missing."""
    stamp = pl.col("occurred_at").str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S%.f")
    if not local:
        stamp = stamp.dt.replace_time_zone("UTC").dt.convert_time_zone(zone)
        stamp = stamp.dt.replace_time_zone(None)
    return frame.with_columns(stamp, pl.col("cost").fill_null(0.0))


def _money(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return Decimal(repr(float(value))).quantize(CENT)


def _model_report(model: Any, error: str | None) -> dict[str, Any]:
    if model is None:
        # The English reason, and its code and parameters for a page to translate.
        return {"error": error or "", "error_note": note_of(error) if error else None}
    return {
        "name": type(model).__name__,
        "params": model.params_,
        "standard_errors": {
            k: (None if not math.isfinite(v) else v) for k, v in model.standard_errors_.items()
        },
        "log_likelihood": model.log_likelihood_,
        "n_customers": model.n_customers_,
        "converged": model.converged_,
    }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _calibration_report(result: PipelineResult) -> dict[str, Any]:
    cal = result.calibration
    if cal is None:
        error = result.errors.get("calibration", "")
        return {"error": error, "error_note": note_of(error) if error else None}
    rel = _finite(cal.relative_error_total)
    rows = (
        cal.table.filter(pl.col("n_customers") > 0)
        .select("bin", "n_customers", "actual", "predicted")
        .to_dicts()
    )
    # JSON has no NaN: a model that cannot predict a bin stores null, not an invalid document.
    for row in rows:
        row["actual"], row["predicted"] = _finite(row["actual"]), _finite(row["predicted"])
    return {
        "rows": rows,
        "metrics": {
            "holdout_periods": result.holdout_periods,
            "mae": _finite(cal.mae),
            "rmse": _finite(cal.rmse),
            "actual_total": _finite(cal.actual_total),
            "predicted_total": _finite(cal.predicted_total),
            "relative_error_total": rel,
            "relative_error_percent": None if rel is None else 100 * rel,
        },
    }


# AccountScore column ← scores column, in the order the rows are written; money is rounded to
# the cent by _money (as the model instances used to be).
_SCORE_COLUMNS = {
    "account_id": "account_id",
    "frequency": "frequency",
    "recency": "recency",
    "age": "T",
    "periods_since_last": "periods_since_last",
    "monetary": "monetary",
    "total_revenue": "total_revenue",
    "total_cost": "total_cost",
    "r_score": "r_score",
    "f_score": "f_score",
    "m_score": "m_score",
    "rfm_cell": "rfm_cell",
    "segment": "segment",
    "abc_class": "abc_class",
    "revenue_rank": "revenue_rank",
    "expected_purchases_90d": "expected_purchases",
    "p_alive": "p_alive",
    "expected_spend": "expected_spend",
    "clv": "clv",
    "cost_to_serve": "cost_to_serve",
    "historic_clp": "historic_clp",
    "predictive_clp": "predictive_clp",
}
_MONEY_COLUMNS = frozenset(
    f.name for f in AccountScore._meta.concrete_fields if f.get_internal_type() == "DecimalField"
)


def _score_rows(run: AnalysisRun, scores: pl.DataFrame) -> Iterator[tuple]:
    """Plain tuples for `core.bulk.insert_rows` (run_id first): no model instance per account."""
    money = [name in _MONEY_COLUMNS for name in _SCORE_COLUMNS]
    for row in scores.select(list(_SCORE_COLUMNS.values())).iter_rows():
        yield (
            run.pk,
            *(_money(v) if is_money else v for v, is_money in zip(row, money, strict=True)),
        )


def analysis_run(
    *,
    actor: Any = None,
    as_of: dt.date | None = None,
    settings: PipelineSettings | None = None,
    cost_to_serve: Mapping[int, Decimal | float] | None = None,
    progress: bool = False,
) -> AnalysisRun:
    """Score every account with transactions up to the end of ``as_of`` (default today).

    ``cost_to_serve`` maps account id → what serving it has cost so far (gifts, banquets,
    discounts, visits); accounts not in it count 0. When not given, it is the touchpoint costs
    logged up to ``as_of`` (`guanxi.touchpoints.selectors.cost_to_serve`). The run is recorded
    before it starts, so a failure stays visible with its reason; its scores are written all at
    once or not at all.
    Raises ApplicationError (the run marked failed) when the data cannot be analysed.
    """
    settings = settings or PipelineSettings()
    as_of = _checked_as_of(as_of)
    if cost_to_serve is None:
        # What gifts, banquets and trips logged as touchpoints cost up to the date (C12 → CLP).
        cost_to_serve = touchpoint_costs(as_of=as_of)
    started = time.perf_counter()
    run = AnalysisRun.objects.create(
        observation_end=as_of,
        triggered_by=actor if getattr(actor, "pk", None) else None,
        parameters=settings.as_dict(),
        model_version=PIPELINE_VERSION,
    )
    try:
        summaries = _read_summaries(as_of, settings, progress=progress)
        if summaries is None:
            reason = _("There are no transactions up to %(date)s to analyse.") % {"date": as_of}
            raise _refused(run, reason, started)
        result = _analyse(summaries, settings, cost_to_serve, progress=progress)
        _store(run, result, n_transactions=summaries.rows, started=started, progress=progress)
    except ApplicationError:
        raise  # the run is marked failed already
    except ValueError as exc:  # the analytics' word for data they cannot analyse
        raise _refused(run, str(exc), started) from exc
    except Exception as exc:
        _fail(run, f"{type(exc).__name__}: {exc}", started)
        raise
    # 100,000 new score rows (and as many deleted): without fresh statistics the planner takes
    # the new run for a handful of rows and the account list sorted by CLV took seconds.
    analyze(AccountScore)
    return run


def scores_prune(*, keep: int | None = None) -> list[int]:
    """Delete the per-account scores of all but the ``keep`` newest successful runs (default
    ``GUANXI_ANALYSIS_RUNS_KEPT``, at least 1) and mark those runs pruned; their reports stay.
    "Newest" is `selectors.latest_run`'s order, so the current run is always kept. Returns the
    ids of the runs pruned now. One DELETE per few hundred runs, no row loaded into Python.

    Why prune at all: scores are read by run id (the (run, account) unique index), so the
    latest run's scores cost the same however many runs came before; but the table, its
    indexes and the planner's picture of them grow with every night otherwise.
    """
    keep = max(1, django_settings.GUANXI_ANALYSIS_RUNS_KEPT if keep is None else keep)
    succeeded = AnalysisRun.objects.filter(status=RunStatus.SUCCEEDED).order_by(*LATEST_ORDER)
    beyond = list(
        succeeded.filter(scores_pruned_at__isnull=True)
        .exclude(pk__in=succeeded.values("pk")[:keep])
        .values_list("pk", flat=True)
    )
    if beyond:
        with transaction.atomic():
            delete_where_in(AccountScore._meta.db_table, "run_id", beyond)
            AnalysisRun.objects.filter(pk__in=beyond).update(scores_pruned_at=timezone.now())
    return beyond


def _checked_as_of(as_of: dt.date | None) -> dt.date:
    """The day the analysis sees data up to: today unless given, never in the future (a run
    dated in the future would become "the latest" and age every account artificially)."""
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ApplicationError(
            _("The analysis date %(date)s is in the future; use today (%(today)s) or earlier.")
            % {"date": as_of, "today": today}
        )
    return as_of


def _analyse(
    summaries: Summaries,
    settings: PipelineSettings,
    cost_to_serve: Mapping[int, Decimal | float],
    *,
    progress: bool,
) -> PipelineResult:
    """The value pipeline (`guanxi.analytics`) on the accounts' summaries: every account's
    scores and the models' fits. Raises ValueError for data it cannot analyse."""
    with tqdm(total=len(PIPELINE_STEPS), desc=_("Analysing"), disable=not progress) as bar:
        return run_pipeline_on_summaries(
            summaries,
            _COLUMNS,
            cost_to_serve=dict(cost_to_serve) if cost_to_serve else None,
            settings=settings,
            progress=lambda name: bar.update(1),
        )


def _store(
    run: AnalysisRun,
    result: PipelineResult,
    *,
    n_transactions: int,
    started: float,
    progress: bool,
) -> None:
    """The scores and what the models found, written in one transaction: a run is stored whole
    or not at all, so the list never shows half a run as succeeded."""
    rows = _score_rows(run, result.scores)
    with transaction.atomic():
        insert_rows(
            AccountScore._meta.db_table,
            ["run_id", *_SCORE_COLUMNS],
            tqdm(rows, desc=_("Writing scores"), total=result.scores.height, disable=not progress),
        )
        run.status = RunStatus.SUCCEEDED
        run.n_accounts = result.scores.height
        run.n_transactions = n_transactions
        _record_findings(run, result)
        run.finished_at = timezone.now()
        run.duration_seconds = time.perf_counter() - started
        run.save()
        scores_prune()


def _record_findings(run: AnalysisRun, result: PipelineResult) -> None:
    """What the run page shows beside the scores: the models fitted (and every one tried, so
    the page can say why this one was used), the holdout check, the Pareto curve, the
    segments and the warnings."""
    run.purchase_model = {
        **_model_report(result.purchase_model, result.errors.get("purchase_model")),
        "candidates": [
            {"name": name, "error": model}
            if isinstance(model, str)
            else {
                "name": name,
                "log_likelihood": model.log_likelihood_,
                "chosen": model is result.purchase_model,
            }
            for name, model in result.purchase_candidates.items()
        ],
    }
    run.spend_model = _model_report(result.spend_model, result.errors.get("spend_model"))
    run.calibration = _calibration_report(result)
    run.pareto = {
        "curve": result.pareto_curve(),
        "top_share": result.pareto.top_share,
        "top_fraction": result.pareto.top_fraction,
        "gini": result.pareto.gini,
        "classes": _counts(result.scores, "abc_class"),
    }
    run.segment_counts = _counts(result.scores, "segment")
    run.warnings = [note_of(w) for w in result.warnings]


def _counts(scores: pl.DataFrame, column: str) -> dict[str, int]:
    counts = scores.group_by(column).len().sort(column)
    return {str(k): int(v) for k, v in counts.iter_rows()}


def _fail(run: AnalysisRun, message: str, started: float) -> None:
    """Mark the run failed with why, so the list of runs shows it."""
    run.status = RunStatus.FAILED
    run.error = message
    run.finished_at = timezone.now()
    run.duration_seconds = time.perf_counter() - started
    run.save(update_fields=["status", "error", "finished_at", "duration_seconds"])


def _refused(run: AnalysisRun, reason: str, started: float) -> ApplicationError:
    """Mark the run failed with `reason` and return the error to raise: data that cannot be
    analysed is for the user to fix (the page and the command say why), not a crash."""
    _fail(run, reason, started)
    return ApplicationError(_("The analysis could not run: %(reason)s") % {"reason": reason})
