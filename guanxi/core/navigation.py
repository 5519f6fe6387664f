"""The sidebar: grouped the way a KAM thinks about the work, not by Django app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


def _is_admin(request: HttpRequest) -> bool:
    return request.user.is_superuser or getattr(request.user, "role", "") == "admin"


def _sees_team(request: HttpRequest) -> bool:
    user = request.user
    return user.is_superuser or getattr(user, "role", "") in {"team_lead", "manager", "admin"}


def _is_manager(request: HttpRequest) -> bool:
    return request.user.is_superuser or getattr(request.user, "role", "") in {"manager", "admin"}


def _active_without(list_name: str, *pages: str) -> Any:
    """The sidebar's "active" test of a model's item: lit on the model's list and its object
    pages, not on the pages with their own item beneath its URL (Unfold lights every item whose
    link starts the path, so two items were lit at once)."""

    def active(request: HttpRequest) -> bool:
        path = request.path
        if not path.startswith(str(reverse_lazy(list_name))):
            return False
        return not any(path.startswith(str(reverse_lazy(name))) for name in pages)

    return active


#: The task list and a task's pages, not Today or the compliance page beneath its URL.
_tasks_active = _active_without(
    "admin:activities_task_changelist",
    "admin:activities_task_today",
    "admin:activities_task_compliance",
)
#: The tier schemes and a scheme's pages, not the attendance sheet or the tier migration.
_tier_schemes_active = _active_without(
    "admin:tiers_tierscheme_changelist",
    "admin:tiers_tierscheme_attendance",
    "admin:tiers_tierscheme_migration",
)


def _item(title: Any, icon: str, url_name: str, permission: Any = None) -> dict[str, Any]:
    item = {"title": title, "icon": icon, "link": reverse_lazy(url_name)}
    if permission is not None:
        item["permission"] = permission
    return item


def _group(title: Any, items: list[dict[str, Any]], *, separator: bool = False) -> dict[str, Any]:
    return {"title": title, "separator": separator, "items": items}


def _my_work() -> dict[str, Any]:
    return _group(
        _("My work"),
        [
            _item(_("Today"), "today", "admin:activities_task_today"),
            {
                **_item(_("Tasks"), "task_alt", "admin:activities_task_changelist"),
                "active": _tasks_active,
            },
            _item(_("Touchpoints"), "forum", "admin:touchpoints_touchpoint_changelist"),
            _item(
                _("Policy compliance"),
                "fact_check",
                "admin:activities_task_compliance",
                _sees_team,
            ),
        ],
    )


def _customers() -> dict[str, Any]:
    return _group(
        _("Customers"),
        [
            _item(_("Accounts"), "apartment", "admin:accounts_account_changelist"),
            _item(_("Contacts"), "contacts", "admin:contacts_contact_changelist"),
            _item(_("Tags"), "sell", "admin:accounts_tag_changelist"),
            _item(_("Customer distribution"), "bar_chart", "reports_distribution"),
            _item(_("Assessments"), "checklist_rtl", "admin:assessments_assessment_changelist"),
            _item(
                _("Assessment checklists"),
                "tune",
                "admin:assessments_checklist_changelist",
                _is_manager,
            ),
        ],
    )


def _leads() -> dict[str, Any]:
    return _group(
        _("Leads"),
        [
            _item(_("Leads"), "person_search", "admin:leads_lead_changelist"),
            _item(_("Import leads"), "upload_file", "admin:leads_lead_import"),
            _item(
                _("Key-account selection"),
                "leaderboard",
                "admin:leads_selectionassessment_ranking",
            ),
            _item(
                _("Selection criteria"),
                "checklist",
                "admin:leads_selectioncriterion_changelist",
            ),
            _item(_("Lead sources"), "campaign", "admin:leads_leadsource_changelist"),
            _item(
                _("Disqualification reasons"),
                "block",
                "admin:leads_disqualifyreason_changelist",
            ),
        ],
        separator=True,
    )


def _key_account_planning() -> dict[str, Any]:
    return _group(
        _("Key-account planning"),
        [
            _item(_("Account plans"), "flag", "admin:plans_accountplan_changelist"),
            _item(
                _("Buying centres"),
                "account_tree",
                "admin:relationships_buyingcentremember_changelist",
            ),
            _item(
                _("Relationship stages"),
                "favorite",
                "admin:relationships_relationshipstageevent_changelist",
            ),
            _item(
                _("Organisation relationships"),
                "handshake",
                "admin:relationships_accountrelationship_changelist",
            ),
            _item(_("Lifecycle stages"), "cycle", "admin:tiers_accountlifecyclestage_changelist"),
            _item(
                _("Lifecycle history"),
                "timeline",
                "admin:tiers_lifecyclestagechange_changelist",
            ),
            _item(_("Lifecycle stage sets"), "tune", "admin:tiers_lifecyclestageset_changelist"),
            _item(
                _("Relationship risk rules"),
                "rule",
                "admin:relationships_relationshiprules_changelist",
            ),
        ],
        separator=True,
    )


def _pipeline() -> dict[str, Any]:
    return _group(
        _("Sales pipeline"),
        [
            _item(_("Pipeline board"), "view_kanban", "pipeline_board"),
            _item(_("Opportunities"), "handshake", "admin:pipeline_opportunity_changelist"),
            _item(_("Import opportunities"), "upload_file", "admin:pipeline_opportunity_import"),
            _item(_("Funnel"), "filter_alt", "pipeline_funnel"),
            _item(_("Forecast"), "trending_up", "pipeline_forecast"),
            _item(_("Win/loss"), "insights", "pipeline_win_loss"),
            _item(
                _("Deal odds: calibration"),
                "query_stats",
                "admin:pipeline_oddsmodel_calibration",
                _is_manager,
            ),
            _item(
                _("Sales targets"), "target", "admin:pipeline_salestarget_changelist", _sees_team
            ),
            _item(_("Pipelines and stages"), "tune", "admin:pipeline_pipeline_changelist"),
            _item(_("Lost reasons"), "thumb_down", "admin:pipeline_lostreason_changelist"),
        ],
        separator=True,
    )


def _agreements() -> dict[str, Any]:
    return _group(
        _("Agreements"),
        [
            _item(_("Agreements"), "contract", "admin:agreements_agreement_changelist"),
            _item(_("Off-rate reviews"), "price_check", "admin:agreements_ratereview_changelist"),
            _item(_("Rebate schedules"), "percent", "admin:agreements_rebateschedule_changelist"),
            _item(_("Room blocks"), "hotel", "admin:agreements_roomblock_changelist"),
            _item(_("Renewals"), "autorenew", "agreements_renewals"),
            _item(
                _("Agreement reviews"), "rate_review", "admin:agreements_agreementreview_changelist"
            ),
            _item(_("Switching costs"), "link", "admin:agreements_switchingcost_changelist"),
            _item(_("Import agreements"), "upload_file", "admin:agreements_import"),
            _item(_("Agreement types"), "tune", "admin:agreements_agreementtype_changelist"),
        ],
        separator=True,
    )


def _loyalty() -> dict[str, Any]:
    return _group(
        _("Loyalty"),
        [
            _item(_("Warning lights"), "emergency_home", "loyalty_lights"),
            _item(_("Loyalty matrix"), "grid_view", "loyalty_matrix"),
            _item(_("Referrals"), "share", "loyalty_referrals"),
            _item(_("Warning-light rules"), "rule", "admin:loyalty_lightrule_changelist"),
            _item(
                _("Loyalty matrix thresholds"), "tune", "admin:loyalty_loyaltythresholds_changelist"
            ),
        ],
        separator=True,
    )


def _surveys() -> dict[str, Any]:
    return _group(
        _("Surveys"),
        [
            _item(_("Survey results"), "sentiment_satisfied", "admin:surveys_results"),
            _item(_("Survey links"), "qr_code_2", "admin:surveys_surveyinvitation_changelist"),
            _item(_("Survey answers"), "rate_review", "admin:surveys_surveyresponse_changelist"),
            _item(_("Import survey answers"), "upload_file", "admin:surveys_import"),
            _item(_("Survey templates"), "tune", "admin:surveys_surveytemplate_changelist"),
        ],
        separator=True,
    )


def _service() -> dict[str, Any]:
    return _group(
        _("Service"),
        [
            _item(_("Cases"), "support_agent", "admin:service_case_changelist"),
            _item(_("Solutions"), "menu_book", "admin:service_solution_changelist"),
            _item(_("SLA policies"), "timer", "admin:service_slapolicy_changelist"),
            _item(_("Case categories"), "tune", "admin:service_casecategory_changelist"),
            _item(_("Working calendar"), "calendar_month", "admin:service_calendarday_changelist"),
        ],
        separator=True,
    )


def _business() -> dict[str, Any]:
    return _group(
        _("Business"),
        [
            _item(_("Transactions"), "receipt_long", "admin:transactions_transaction_changelist"),
            _item(_("Payments"), "payments", "admin:transactions_payment_changelist"),
            _item(
                _("Product categories"),
                "category",
                "admin:transactions_productcategory_changelist",
            ),
        ],
        separator=True,
    )


def _customer_value() -> dict[str, Any]:
    return _group(
        _("Customer value"),
        [
            _item(_("Value model"), "insights", "admin:insights_analysisrun_latest"),
            _item(_("Analysis runs"), "query_stats", "admin:insights_analysisrun_changelist"),
        ],
        separator=True,
    )


def _tiers_and_privileges() -> dict[str, Any]:
    return _group(
        _("Tiers and privileges"),
        [
            _item(_("Account tiers"), "workspace_premium", "admin:tiers_accounttier_changelist"),
            _item(_("Attendance sheet"), "calendar_month", "admin:tiers_tierscheme_attendance"),
            _item(_("Tier migration"), "swap_vert", "admin:tiers_tierscheme_migration"),
            _item(_("Tier history"), "timeline", "admin:tiers_tierchange_changelist"),
            _item(_("Discount reviews"), "percent", "admin:tiers_discountreview_changelist"),
            {
                **_item(_("Tier schemes"), "tune", "admin:tiers_tierscheme_changelist"),
                "active": _tier_schemes_active,
            },
        ],
        separator=True,
    )


def _data() -> dict[str, Any]:
    return _group(
        _("Data"),
        [
            _item(_("Import a file"), "upload_file", "admin:imports_importrun_upload"),
            _item(_("Import runs"), "history", "admin:imports_importrun_changelist"),
            _item(
                _("Duplicates to review"),
                "content_copy",
                "admin:duplicates_candidate_queue",
                _is_manager,
            ),
            _item(_("Merges"), "merge", "admin:merging_merge_changelist", _sees_team),
        ],
        separator=True,
    )


def _administration() -> dict[str, Any]:
    return _group(
        _("Administration"),
        [
            _item(_("Users"), "person", "admin:core_user_changelist", _is_admin),
            _item(_("Teams"), "groups", "admin:core_team_changelist", _is_admin),
            _item(_("Background jobs"), "schedule", "admin:core_jobrun_changelist", _is_manager),
            _item(_("API tokens"), "key", "admin:core_apitoken_changelist"),
        ],
        separator=True,
    )


def sidebar_navigation(request: HttpRequest) -> list[dict]:
    return [
        _my_work(),
        _customers(),
        _leads(),
        _key_account_planning(),
        _pipeline(),
        _agreements(),
        _loyalty(),
        _surveys(),
        _service(),
        _business(),
        _customer_value(),
        _tiers_and_privileges(),
        _data(),
        _administration(),
    ]
