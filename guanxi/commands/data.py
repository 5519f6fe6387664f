"""`guanxi import`, `guanxi tiers presets`, `guanxi token`: putting data in and reading it out."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from guanxi.commands import common
from guanxi.core.errors import ApplicationError
from guanxi.core.models import User
from guanxi.core.services import api_token_create
from guanxi.duplicates.finder import candidates_find
from guanxi.tiers.models import TierScheme
from guanxi.tiers.services import PRESET_CODES, scheme_load_preset
from guanxi.workspace.flows import file_import, survey_answers_imported


def import_(args: argparse.Namespace) -> int:
    common.migrate()
    common.report_interrupted()
    if args.kind in ROW_KINDS:
        return _import_rows(args)
    report = file_import(
        kind=args.kind,
        path=args.file,
        username=args.user,
        source=args.source,
        dry_run=args.dry_run,
        progress=True,
    )
    print(report.describe())
    return 0 if report.ok else 1


ROW_KINDS = ("leads", "opportunities", "agreements", "survey-answers")


def _import_rows(args: argparse.Namespace) -> int:
    """Leads, opportunities and agreements: each row through its app's service, as the named
    user (agreements: a workbook, all or nothing)."""
    # deferred: the importers load polars, which the other data commands do not need
    from guanxi.agreements.importer import agreement_import  # deferred: polars, as above
    from guanxi.leads.importer import lead_import  # deferred: polars, as above
    from guanxi.pipeline.importer import opportunity_import  # deferred: polars, as above

    if not args.user:
        print(f"guanxi import {args.kind}: name the user who imports (--user USERNAME); "
              "their access rules apply.", file=sys.stderr)  # fmt: skip
        return 2
    actor = User.objects.filter(username=args.user, is_active=True).first()
    if actor is None:
        print(f"guanxi import: no active user {args.user!r}.", file=sys.stderr)
        return 2
    try:
        with open(args.file, "rb") as handle:
            content = handle.read()
    except OSError as exc:
        print(f"guanxi import: cannot read {args.file}: {exc.strerror}.", file=sys.stderr)
        return 2
    run = {"leads": lead_import, "opportunities": opportunity_import,
           "agreements": agreement_import,
           "survey-answers": survey_answers_imported}[args.kind]  # fmt: skip
    result = run(actor=actor, content=content, file_name=args.file, dry_run=args.dry_run)
    if result.fatal:
        print(f"{args.file}: {result.fatal}", file=sys.stderr)
        return 1
    dry = " (dry run: nothing written)" if result.dry_run else ""
    verb = "would be " if result.dry_run else ""
    what = f"rows {verb}written" if args.kind == "agreements" else f"{args.kind} {verb}created"
    updated = f"; agreements {verb}updated: {result.flagged}" if args.kind == "agreements" else ""
    if args.kind == "opportunities":
        updated = f"; {verb}updated: {result.updated}; unchanged: {result.unchanged}"
    if args.kind == "survey-answers":
        what = f"answers {verb}written"
        updated = f"; already on file (skipped): {result.flagged}"
    print(f"{args.file}: rows read: {result.rows_read}; {what}: {result.created}{updated}; "
          f"failed: {result.failed}{dry}")  # fmt: skip
    for warning in result.warnings:
        print(f"  warning: {warning}")
    for error in result.errors:
        print(f"  line {error.line}, {error.column or '-'}: {error.message} ({error.value!r})")
    return 0 if not result.failed else 1


def _load_presets(wanted: list[str], *, activate: bool) -> None:
    with transaction.atomic():
        for code in wanted:
            scheme = scheme_load_preset(code=code)
            if activate and not scheme.is_active:
                scheme.is_active = True
                scheme.save(update_fields=["is_active", "updated_at"])


def _print_presets(codes: list[str]) -> None:
    loaded = {
        s.code: s for s in TierScheme.objects.filter(code__in=codes).annotate(n=Count("tiers"))
    }
    for code in codes:
        scheme = loaded.get(code)
        if scheme is None:
            print(f"  {code:<20} not loaded")
            continue
        state = "active" if scheme.is_active else "inactive"
        levels = "stages" if scheme.purpose == "lifecycle" else "tiers"
        print(f"  {code:<20} {state:<8} {scheme.n} {levels:<6} {scheme.name} / {scheme.name_en}")


def tier_presets(args: argparse.Namespace) -> int:
    common.migrate()
    codes = list(PRESET_CODES)
    wanted = codes if args.all else (args.load or [])
    unknown = [c for c in wanted if c not in codes]
    if unknown:
        print(
            f"error: no preset named {', '.join(unknown)}; presets: {', '.join(codes)}",
            file=sys.stderr,
        )
        return 2
    if args.activate and not wanted:
        print("error: --activate needs --load CODE … or --all", file=sys.stderr)
        return 2
    try:
        _load_presets(wanted, activate=args.activate)
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    _print_presets(codes)
    if wanted and not args.activate:
        print("Loaded presets are inactive until activated (--activate, or in the admin).")
    return 0


def token(args: argparse.Namespace) -> int:
    common.migrate()
    try:
        user = User.objects.get(username=args.username)
    except User.DoesNotExist:
        print(f"error: no user named '{args.username}'", file=sys.stderr)
        return 2
    _token, key = api_token_create(user=user, name=args.name)
    print(key)
    return 0


def duplicates(args: argparse.Namespace) -> int:
    """Find the candidate pairs for the review queue (all, or those changed lately)."""
    common.migrate()
    since = timezone.now() - dt.timedelta(hours=args.since_hours) if args.since_hours else None
    found = candidates_find(since=since)
    print(f"duplicates: {found.accounts} account pairs, {found.contacts} contact pairs "
          f"({found.skipped_blocks} blocks too large to compare)"
          + (f"; {found.rescored_away} open pairs no longer alike left the queue"
             if since else ""))  # fmt: skip
    return 0
