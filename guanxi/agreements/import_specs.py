"""The sheets of the agreements workbook (`agreements.importer`): their names and columns, the
headers matched with Chinese aliases as every import file's are (`imports.columns`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from guanxi.imports.columns import Column, Spec

#: What each sheet holds → the sheet names it is found by (lower-case).
SHEETS = {
    "agreements": ("agreements", "agreement", "协议", "协议列表"),
    "commitments": ("commitments", "volume commitments", "承诺量", "承诺"),
    "brackets": ("rebate brackets", "brackets", "rebates", "返点档位", "返点"),
    "nights": ("block nights", "room blocks", "blocks", "房间保留", "房间预留"),
}

REFERENCE = Column("reference", _("Agreement reference"), ("协议编号", "合同编号", "编号"), True,
                   _("The agreement's reference, as on the agreements sheet or on file."),
                   "XY-2026-001")  # fmt: skip

AGREEMENTS = Spec(
    kind="agreements",
    label=_("Agreements"),
    match_by=_(
        "reference: an existing reference updates that agreement, a new one creates it. One "
        "XLSX workbook: this sheet (agreements) and, optionally, sheets named commitments, "
        "rebate brackets and block nights whose rows name an agreement by its reference; for "
        "each agreement a sheet names, its rows replace what the agreement had. One bad row "
        "and nothing is written"
    ),
    columns=(
        REFERENCE,
        Column("name", _("Name"), ("协议名称", "名称"), True, "", "2026年度框架协议"),
        Column("type", _("Type"), ("协议类型", "类型"), True,
               _("framework, annual_frame, negotiated_rate, rebate, strategic, mice, or a "
                 "type's name."), "rebate"),
        Column("account", _("Account code"), ("客户编号", "客户代码"), True,
               _("The account's code (customer number)."), "A1001"),
        Column("covered", _("Subsidiaries covered"), ("覆盖子公司", "适用子公司"), False,
               _("Codes of the account's subsidiaries the agreement also covers, separated by "
                 "commas."), "A1002, A1003"),
        Column("owner", _("Owner"), ("负责人", "客户经理"), False,
               _("Username; default: you."), ""),
        Column("starts_on", _("Starts on"), ("开始日期", "生效日期"), True, "YYYY-MM-DD",
               "2026-01-01"),
        Column("ends_on", _("Ends on"), ("结束日期", "到期日期"), True, "YYYY-MM-DD",
               "2026-12-31"),
        Column("status", _("Status"), ("状态",), False,
               _("draft (default), negotiating, active, expired, terminated, renewed."),
               "active"),
        Column("signed_on", _("Signed on"), ("签约日期",), False, "YYYY-MM-DD", ""),
        Column("notice_days", _("Notice period (days)"), ("通知期", "提前通知天数"), False,
               _("Default 90."), "90"),
        Column("renewal_date", _("Renewal date"), ("续约日期",), False, "YYYY-MM-DD", ""),
        Column("auto_renew", _("Renews automatically"), ("自动续约",), False, "yes / no", "no"),
        Column("review_cadence", _("Review cadence"), ("复盘周期",), False,
               _("none, monthly, quarterly (default), half_yearly, yearly."), "quarterly"),
        Column("notes", _("Notes"), ("备注",), False, "", ""),
    ),
)  # fmt: skip

COMMITMENTS = Spec(
    kind="agreement_commitments",
    label=_("Volume commitments"),
    match_by=_("the agreement's reference: its commitments are replaced by the sheet's rows"),
    columns=(
        REFERENCE,
        Column("committed", _("Committed volume"), ("承诺量", "承诺金额"), True,
               _("Amount (CNY) or quantity, above zero."), "2000000"),
        Column("basis", _("Basis"), ("口径",), False, _("amount (default) or quantity."),
               "amount"),
        Column("unit", _("Unit"), ("单位",), False, _("What a quantity counts."), ""),
        Column("categories", _("Categories"), ("产品类别", "类别"), False,
               _("Product category codes separated by commas; empty: every category."),
               "rooms, fnb"),
        Column("starts_on", _("Period starts on"), ("开始日期",), False,
               _("Empty: the agreement's start."), ""),
        Column("ends_on", _("Period ends on"), ("结束日期",), False,
               _("Empty: the agreement's end."), ""),
        Column("notes", _("Notes"), ("备注",), False, "", ""),
    ),
)  # fmt: skip

BRACKETS = Spec(
    kind="agreement_brackets",
    label=_("Rebate brackets"),
    match_by=_("the agreement's reference and the schedule's name: the schedule's brackets are "
               "replaced by the sheet's rows"),
    columns=(
        REFERENCE,
        Column("schedule", _("Schedule"), ("返点方案",), False,
               _("The schedule's name; rows with the same name form one schedule."), "年度返点"),
        Column("from_value", _("From volume"), ("起点", "档位起点"), True,
               _("Where the bracket starts; the first at 0."), "1000000"),
        Column("rate", _("Rate (%)"), ("返点率", "比例"), True, _("0 to 100."), "3"),
        Column("method", _("Method"), ("计算方式",), False,
               _("retroactive (default) or incremental."), "retroactive"),
        Column("basis", _("Basis"), ("口径",), False, _("amount (default) or quantity."),
               "amount"),
        Column("frequency", _("Settlement frequency"), ("结算周期",), False,
               _("quarterly (default), half_yearly, yearly."), "quarterly"),
        Column("categories", _("Categories"), ("产品类别", "类别"), False,
               _("Product category codes separated by commas; empty: every category."), ""),
        Column("starts_on", _("Period starts on"), ("开始日期",), False,
               _("Empty: the agreement's start."), ""),
        Column("ends_on", _("Period ends on"), ("结束日期",), False,
               _("Empty: the agreement's end."), ""),
    ),
)  # fmt: skip

NIGHTS = Spec(
    kind="agreement_block_nights",
    label=_("Room-block nights"),
    match_by=_("the agreement's reference and the block's name: the block's nights are replaced "
               "by the sheet's rows"),
    columns=(
        REFERENCE,
        Column("block", _("Room block"), ("房间保留", "房间块"), True, _("The block's name."),
               "主会场房间"),
        Column("night", _("Night"), ("入住日期", "日期"), True, "YYYY-MM-DD", "2026-05-12"),
        Column("rooms", _("Rooms contracted"), ("房间数", "间数"), True, "", "100"),
        Column("group_rate", _("Group rate (CNY)"), ("团队价",), False,
               _("Required for a new block."), "600"),
        Column("cutoff_on", _("Cut-off date"), ("截止日期",), False,
               _("Required for a new block."), "2026-04-20"),
        Column("allowance", _("Attrition allowance (%)"), ("最低履约比例",), False,
               _("Default 80."), "80"),
        Column("penalty_rule", _("Penalty rule"), ("违约规则",), False,
               _("per_room_night (default) or minimum_revenue."), ""),
        # xgettext:no-python-format
        Column("penalty", _("Penalty (% of the group rate)"), ("违约金比例",), False,
               _("Default 75."), "75"),
        Column("minimum_revenue", _("Minimum room revenue (CNY)"), ("最低收入",), False, "", ""),
    ),
)  # fmt: skip
