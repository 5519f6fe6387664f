"""The sidebar: grouped the way a KAM thinks about the work, not by Django app."""

from __future__ import annotations

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


def sidebar_navigation(request: HttpRequest) -> list[dict]:
    return [
        {
            "title": _("My work"),
            "separator": False,
            "items": [
                {
                    "title": _("Today"),
                    "icon": "today",
                    "link": reverse_lazy("admin:activities_task_today"),
                },
                {
                    "title": _("Tasks"),
                    "icon": "task_alt",
                    "link": reverse_lazy("admin:activities_task_changelist"),
                },
                {
                    "title": _("Touchpoints"),
                    "icon": "forum",
                    "link": reverse_lazy("admin:touchpoints_touchpoint_changelist"),
                },
                {
                    "title": _("Policy compliance"),
                    "icon": "fact_check",
                    "link": reverse_lazy("admin:activities_task_compliance"),
                    "permission": _sees_team,
                },
            ],
        },
        {
            "title": _("Customers"),
            "separator": False,
            "items": [
                {
                    "title": _("Accounts"),
                    "icon": "apartment",
                    "link": reverse_lazy("admin:accounts_account_changelist"),
                },
                {
                    "title": _("Contacts"),
                    "icon": "contacts",
                    "link": reverse_lazy("admin:contacts_contact_changelist"),
                },
                {
                    "title": _("Tags"),
                    "icon": "sell",
                    "link": reverse_lazy("admin:accounts_tag_changelist"),
                },
            ],
        },
        {
            "title": _("Key-account planning"),
            "separator": True,
            "items": [
                {
                    "title": _("Account plans"),
                    "icon": "flag",
                    "link": reverse_lazy("admin:plans_accountplan_changelist"),
                },
                {
                    "title": _("Buying centres"),
                    "icon": "account_tree",
                    "link": reverse_lazy("admin:relationships_buyingcentremember_changelist"),
                },
                {
                    "title": _("Relationship stages"),
                    "icon": "favorite",
                    "link": reverse_lazy("admin:relationships_relationshipstageevent_changelist"),
                },
                {
                    "title": _("Organisation relationships"),
                    "icon": "handshake",
                    "link": reverse_lazy("admin:relationships_accountrelationship_changelist"),
                },
                {
                    "title": _("Lifecycle stages"),
                    "icon": "cycle",
                    "link": reverse_lazy("admin:tiers_accountlifecyclestage_changelist"),
                },
                {
                    "title": _("Lifecycle history"),
                    "icon": "timeline",
                    "link": reverse_lazy("admin:tiers_lifecyclestagechange_changelist"),
                },
                {
                    "title": _("Lifecycle stage sets"),
                    "icon": "tune",
                    "link": reverse_lazy("admin:tiers_lifecyclestageset_changelist"),
                },
                {
                    "title": _("Relationship risk rules"),
                    "icon": "rule",
                    "link": reverse_lazy("admin:relationships_relationshiprules_changelist"),
                },
            ],
        },
        {
            "title": _("Business"),
            "separator": True,
            "items": [
                {
                    "title": _("Transactions"),
                    "icon": "receipt_long",
                    "link": reverse_lazy("admin:transactions_transaction_changelist"),
                },
                {
                    "title": _("Payments"),
                    "icon": "payments",
                    "link": reverse_lazy("admin:transactions_payment_changelist"),
                },
                {
                    "title": _("Product categories"),
                    "icon": "category",
                    "link": reverse_lazy("admin:transactions_productcategory_changelist"),
                },
            ],
        },
        {
            "title": _("Customer value"),
            "separator": True,
            "items": [
                {
                    "title": _("Value model"),
                    "icon": "insights",
                    "link": reverse_lazy("admin:insights_analysisrun_latest"),
                },
                {
                    "title": _("Analysis runs"),
                    "icon": "query_stats",
                    "link": reverse_lazy("admin:insights_analysisrun_changelist"),
                },
            ],
        },
        {
            "title": _("Tiers and privileges"),
            "separator": True,
            "items": [
                {
                    "title": _("Account tiers"),
                    "icon": "workspace_premium",
                    "link": reverse_lazy("admin:tiers_accounttier_changelist"),
                },
                {
                    "title": _("Attendance sheet"),
                    "icon": "calendar_month",
                    "link": reverse_lazy("admin:tiers_tierscheme_attendance"),
                },
                {
                    "title": _("Tier migration"),
                    "icon": "swap_vert",
                    "link": reverse_lazy("admin:tiers_tierscheme_migration"),
                },
                {
                    "title": _("Tier history"),
                    "icon": "timeline",
                    "link": reverse_lazy("admin:tiers_tierchange_changelist"),
                },
                {
                    "title": _("Discount reviews"),
                    "icon": "percent",
                    "link": reverse_lazy("admin:tiers_discountreview_changelist"),
                },
                {
                    "title": _("Tier schemes"),
                    "icon": "tune",
                    "link": reverse_lazy("admin:tiers_tierscheme_changelist"),
                },
            ],
        },
        {
            "title": _("Data"),
            "separator": True,
            "items": [
                {
                    "title": _("Import a file"),
                    "icon": "upload_file",
                    "link": reverse_lazy("admin:imports_importrun_upload"),
                },
                {
                    "title": _("Import runs"),
                    "icon": "history",
                    "link": reverse_lazy("admin:imports_importrun_changelist"),
                },
            ],
        },
        {
            "title": _("Administration"),
            "separator": True,
            "items": [
                {
                    "title": _("Users"),
                    "icon": "person",
                    "link": reverse_lazy("admin:core_user_changelist"),
                    "permission": _is_admin,
                },
                {
                    "title": _("Teams"),
                    "icon": "groups",
                    "link": reverse_lazy("admin:core_team_changelist"),
                    "permission": _is_admin,
                },
                {
                    "title": _("Background jobs"),
                    "icon": "schedule",
                    "link": reverse_lazy("admin:core_jobrun_changelist"),
                    "permission": _is_manager,
                },
                {
                    "title": _("API tokens"),
                    "icon": "key",
                    "link": reverse_lazy("admin:core_apitoken_changelist"),
                },
            ],
        },
    ]
