"""The words of the demo's deals and leads: next steps, competitors, notes, lead companies."""

from __future__ import annotations

# Open deals' next steps by the stage they are in (identify → contact → propose → negotiate).
NEXT_STEPS = {
    "identify": ("电话确认会议需求与预算", "找到会务负责人", "了解今年的活动计划"),
    "contact": ("邀请来店踩线参观", "约采购经理面谈", "发送场地与客房资料"),
    "propose": ("提交会议方案与报价", "修改报价：客房加早餐", "安排总经理拜访决策人"),
    "negotiate": ("谈判付款条件", "确认定金与合同条款", "回复对方的压价要求"),
}
# Rivals that take deals away (a city's other hotels and venues).
COMPETITORS = (
    "海尔洲际酒店",
    "香格里拉大酒店",
    "万达艾美酒店",
    "国际会展中心",
    "希尔顿酒店",
    "凯悦酒店",
)
# Why a deal was lost, by built-in lost reason, in the KAM's words.
LOST_NOTES = {
    "price": ("对方预算有限，竞品报价低约15%", "采购压价，我们的底价守不住"),
    "competitor": ("客户选择了竞品的一价全包方案", "竞品老关系，决策人早已定好"),
    "dates": ("会期撞上旺季，宴会厅已被占用", "客房在会期内不足"),
    "budget": ("客户今年会议预算削减，活动取消", "总部冻结了差旅与会议开支"),
    "no_decision": ("客户迟迟未定，活动推迟到明年", "内部意见不一，项目搁置"),
    "relationship": ("决策人换了，新负责人与我们不熟", "我们没有接触到真正拍板的人"),
    "other": ("活动改为线上举办",),
}
# Open deals' names by type: (type, names).
OPEN_DEALS = (
    ("mice", ("年度经销商大会", "行业论坛", "新品发布会", "客户答谢会", "培训会")),
    ("corporate_rate", ("协议价续签", "年度差旅协议", "长住客房协议")),
    ("banquet", ("年会晚宴", "答谢晚宴", "周年庆典")),
    ("group_block", ("团队客房包房", "展会期间包房")),
)
DEAL_NOTES = {
    "mice": "会议带动客房和餐饮：会场 + 会议餐 + 住宿。",
    "corporate_rate": "签协议价后按月结算，看全年间夜量。",
    "banquet": "宴会厅 + 晚宴桌数，视人数定场地。",
    "group_block": "按晚包房，需提前锁定房量。",
}
# MAN evidence for leads (money, authority, need), in the KAM's words.
MONEY_EVIDENCE = (
    "去年在同城酒店办过类似活动，预算约三十万",
    "年度会议预算已经批下来",
    "财务确认可预付定金",
)
AUTHORITY_EVIDENCE = (
    "联系人是行政总监，会务由她拍板",
    "总经理亲自过问，已约见面",
    "采购经理负责选点",
)
NEED_EVIDENCE = (
    "明年三月有两百人的经销商大会",
    "每季度都有培训，需要固定场地",
    "外地客户来访需要协议价",
)
DISQUALIFY_NOTES = {
    "no_budget": "预算不足，明年再联系",
    "no_authority": "只是普通员工，接触不到负责人",
    "no_need": "公司活动很少，近期没有需求",
    "competitor": "已与竞品签了年度协议",
    "unreachable": "电话多次未接",
    "duplicate": "与已有客户重复",
    "other": "",
}
# Companies of leads that did not (yet) become customers: (prefix, industry word).
LEAD_INDUSTRIES = (
    "医药",
    "科技",
    "贸易",
    "建设",
    "物流",
    "教育",
    "文化传媒",
    "新能源",
    "食品",
    "金融服务",
)
LEAD_FORMS = ("有限公司", "股份有限公司", "集团有限公司")
CAMPAIGNS = ("2025秋季会展推介会", "婚宴开放日", "企业协议价推广", "公众号推文", "")
