"""The words of the account plans (一企一策): the situation analysis by sector, our strategy, the
rivals fitting each kind of account with their answers to seed 004's six questions, the plan
actions, and the phrases the reviews' minutes and decisions are made of.

Static text only: `accountplans` draws from it with the key-accounts pass's dice.
"""

from __future__ import annotations

STAGE_WORDS = {"goodwill": "好感", "trust": "信任", "interest": "利益", "emotion": "情感"}
SUPPLIER_WORDS = {"general": "一般供应商", "main": "主要供应商", "core": "核心供应商",
                  "strategic": "战略伙伴"}  # fmt: skip
KOTLER_WORDS = {"basic": "基本型", "reactive": "被动型", "accountable": "负责型",
                "proactive": "能动型", "partnership": "伙伴型"}  # fmt: skip

SITUATION = {
    "business": {
        "macro": "行业监管趋严，差旅与会议费用管控加强；经济增速放缓，企业普遍压缩非必要开支。",
        "business": (
            "{short}今年推进降本增效，会议数量不减但单场预算下调约 10%，更看重性价比和服务质量。"
        ),
        "suppliers": "对方正在精简供应商名录，每类服务保留两到三家，年度集中招标。",
        "competitors": "对方的主要竞争对手加大了市场活动投入，对方需要更多高规格的客户活动来应对。",
        "customers": (
            "对方的客户（经销商、医院和终端客户）更重视学术和体验，要求活动更专业、更有特色。"
        ),
        "strategy": (
            "{short}计划三年内进入华东、华北新市场，组织上设立大客户部，新产品上市节奏加快，"
            "对会议和培训的需求随之增加。"
        ),
        "decision": (
            "民营控股，创始人家族持股过半；{gm}拥有最终审批权，采购部组织比价，"
            "财务部把控预算，行政部负责执行和评价。"
        ),
    },
    "government": {
        "macro": "过紧日子要求持续，公务接待和会议标准严格执行，会议费实行定额管理。",
        "business": "今年承担的全市性会议和招商活动增多，但单次会议预算标准不变。",
        "suppliers": "会议定点饭店实行政府采购，每年公开招标确定定点名单。",
        "competitors": "兄弟城市的同类部门在招商推介上投入更大，对会议规格和效果要求提高。",
        "customers": "服务对象是企业和市民，对会议的组织效率和对外形象要求高。",
        "strategy": "围绕年度重点工作举办推介会、培训班和专家评审会，推动会议活动规范化、数字化。",
        "decision": "财政预算单位；{gm}审批，办公室负责会务和定点采购，财务科按标准审核结算。",
    },
    "association": {
        "macro": "学术会议管理规范化，医药企业赞助收紧，会议资金更多依赖注册费。",
        "business": "年会规模逐年扩大，分会场和卫星会增多，对场地和客房的一次性承接能力要求高。",
        "suppliers": "会务由合作会议公司执行，场地由秘书处推荐、会长办公会确定。",
        "competitors": "其他城市和兄弟学会争办大型年会，比拼城市吸引力和接待条件。",
        "customers": "会员和参会专家看重学术水平、交通便利和住宿体验。",
        "strategy": "打造品牌年会，扩大会员规模，推动线上线下融合办会。",
        "decision": "{gm}牵头，会长办公会集体决策；秘书处负责比选，合作会务公司影响较大。",
    },
}
OUR_STRATEGY = (
    "巩固与{gm}的高层关系，把{short}从“比价采购”转向“年度框架合作”：以会议 + 住宿 + 餐饮的"
    "一站式方案和专属服务团队锁定全年会议；扩大与采购、财务、行政各层级的接触面，避免关系只系于一人；"
    "每季度复盘一次目标和行动。"
)
# Rivals of our hotels, by kind (all names made up), and the kinds each kind of account weighs.
RIVALS = {
    "hotel": ("琴海国际大酒店", "崂山湾度假酒店", "海天云庭酒店", "蓝岸商务酒店", "浮山湾会展酒店",
              "东方海悦大酒店", "鲁港商务酒店", "云栖山庄度假村"),
    "tmc": ("途程商旅（企业差旅平台）", "行云商旅 TMC"),
    "venue": ("金沙湾国际会议中心", "银湖会议中心", "奥帆海景会展中心", "崂山科创会议中心"),
    "guesthouse": ("琴岛迎宾馆", "市机关会议培训中心", "黄海饭店（定点饭店）"),
    "ota": ("易游网酒店频道", "悠途旅行 App", "畅行旅行网"),
    "caterer": ("鲜味坊餐饮（外烩）", "百福团餐管理公司", "金穗宴会酒楼"),
    "wedding": ("禧悦婚礼会馆", "海韵宴会中心", "花嫁里婚礼堂"),
}  # fmt: skip
RIVALS_OF = {
    "government": ("guesthouse", "venue", "hotel"),
    "institution": ("guesthouse", "venue", "hotel"),
    "association": ("venue", "hotel", "hotel"),
    "organiser": ("venue", "hotel", "tmc"),
    "ota": ("hotel", "ota", "hotel"),
    "travel_agency": ("hotel", "ota", "hotel"),
    "wedding": ("wedding", "caterer", "hotel"),
    "wedding_family": ("wedding", "caterer"),
    "default": ("hotel", "venue", "tmc", "caterer"),
}
RIVAL_STYLE = {"hotel": "hotel", "guesthouse": "hotel", "venue": "venue", "ota": "ota",
               "tmc": "ota", "caterer": "caterer", "wedding": "caterer"}  # fmt: skip
RIVAL_SHARE = {"hotel": (15, 40), "guesthouse": (20, 45), "venue": (10, 30), "ota": (5, 20),
               "tmc": (5, 20), "caterer": (5, 15), "wedding": (10, 30)}  # fmt: skip
RIVAL_QUESTIONS = ("positioning", "market_strategy", "relationship_strategy",
                   "relationship_means", "strongholds", "organisation")  # fmt: skip
# Seed 004's six questions about a rival, answered for each style of rival.
RIVAL_ANSWERS = {
    "hotel": {
        "positioning": (
            "定位高端商务会议，目标三年内成为本市会议接待第一品牌",
            "主打性价比，抢占中型企业会议与培训市场",
            "主推会奖旅游和团建一体化产品，抢年会和奖励旅游",
            "新开业，急于做出量，以价格换市场份额",
        ),
        "market_strategy": (
            "以低于我方 10%–15% 的会议套餐价格切入，捆绑客房优惠",
            "与会务公司签返点协议，由会务公司推荐客户",
            "会议室免费升级、赠送茶歇，吸引首单",
            "按年度消费额返还房券和餐券",
        ),
        "relationship_strategy": (
            "销售总监定期拜访对方高层，逢节必访",
            "邀请对方决策人参加酒店高端品鉴活动",
            "为对方行政人员提供积分和个人消费优惠",
            "总经理亲自对接对方一把手",
        ),
        "relationship_means": (
            "组织对方员工家庭日、体育联谊活动",
            "通过行业协会活动结识对方中层",
            "为对方提供免费场地试用和会务咨询",
            "节日寄送月饼、海鲜礼盒",
        ),
        "strongholds": (
            "与行政部关系较好，但高层接触少；服务稳定性有投诉",
            "价格优势明显，但会议设施老旧，大型会议承接能力不足",
            "景观和客房好，但离市区远，交通不便",
            "与采购部关系密切；宴会出品不稳定",
        ),
        "organisation": (
            "销售总监牵头，配一名会议销售专员和一名宴会经理",
            "由区域销售经理负责，总经理只在签约时出面",
            "大客户小组三人：客户经理、会议统筹、餐饮经理",
            "只有一名销售跟进，人员流动频繁",
        ),
    },
    "venue": {
        "positioning": (
            "专业会展场馆，主攻千人以上的大会和展览",
            "政府背景的会议中心，承接全市重点会议",
            "依托新开业的会议中心，力争成为大型学术会议首选场地",
        ),
        "market_strategy": (
            "场租打包价，大会免收搭建费",
            "联合周边酒店推出“会议 + 住宿”联票",
            "重点投放行业展会和线上渠道，主推一站式会议服务",
        ),
        "relationship_strategy": (
            "借主管部门推荐进入对方视野",
            "与对方学术部、会务组长期合作，按届锁定",
            "为对方领导安排参观和专题汇报",
        ),
        "relationship_means": (
            "举办行业论坛并邀请对方领导致辞",
            "通过合作会务公司维系关系",
            "免费提供会前踩点和方案设计",
        ),
        "strongholds": (
            "场地大、设施新，但餐饮和客房要外包，服务链条长",
            "大会经验丰富，但中小型会议价格偏高",
            "档期紧张，旺季常无法满足对方日期",
        ),
        "organisation": (
            "会展部负责，销售按行业分组",
            "由场馆运营公司的客户总监统一对接",
            "项目制团队，每个大会配一名项目经理",
        ),
    },
    "ota": {
        "positioning": (
            "线上酒店分销渠道，以低价和便利吸引散客和小团",
            "在线旅游平台，主推“机票 + 酒店”打包产品",
            "移动端预订平台，靠会员折扣和直播带货引流",
        ),
        "market_strategy": (
            "给对方差旅负责人提供统一结算和月结账期",
            "以平台补贴压低房价，比我方协议价低 5%–8%",
            "免费差旅管理系统，绑定对方的审批流程",
        ),
        "relationship_strategy": (
            "与对方财务部和人力资源部建立合作，纳入差旅制度",
            "大客户经理驻场服务，随叫随到",
            "高层签署年度战略合作协议",
        ),
        "relationship_means": (
            "差旅数据报告，每季度向对方管理层汇报节省金额",
            "为对方员工提供个人出行优惠",
            "举办差旅管理研讨会",
        ),
        "strongholds": (
            "流程方便、报销省事，但会议和宴会服务薄弱",
            "价格透明，但没有现场服务，遇到问题响应慢",
            "覆盖城市多，但对本地大型活动没有资源",
        ),
        "organisation": (
            "区域大客户经理一人，后台客服支持",
            "按行业划分的客户团队，总部统一定价",
            "驻场顾问加线上客服",
        ),
    },
    "caterer": {
        "positioning": (
            "专做企业年会、团餐和外烩，价格灵活",
            "连锁宴会酒楼，主推本帮海鲜宴",
            "团餐公司，从员工食堂延伸到会议餐和活动餐",
        ),
        "market_strategy": (
            "按桌报价，比酒店宴会低 20% 左右，免场租",
            "承接企业年会按人头包价，含节目和场地布置",
            "节假日推出团购宴席套餐",
        ),
        "relationship_strategy": (
            "老板亲自维护，和对方行政负责人私交好",
            "给介绍人返点，靠口碑和转介绍获客",
            "为对方员工活动提供免费试菜",
        ),
        "relationship_means": (
            "逢年过节送礼、请客",
            "赞助对方工会活动的餐饮",
            "在社交平台组织客户回访和评价",
        ),
        "strongholds": (
            "灵活、价格低，但没有会议场地和客房",
            "菜品口碑好，但大型活动的服务和安全保障不足",
            "出品稳定，但没有住宿，外地参会人员要另找酒店",
        ),
        "organisation": (
            "老板加两名销售，厨房外包团队",
            "门店经理负责，总部统一营销",
            "婚宴顾问团队四人，按档期分工",
        ),
    },
}
# Where a kind of rival answers differently from its style.
RIVAL_ANSWERS_OF_KIND = {
    "guesthouse": {
        "positioning": ("政府定点饭店，承接机关会议和公务接待",
                        "机关事务系统的会议培训中心，价格严格按标准"),
        "strongholds": ("按标准报价、结算方便，但设施陈旧，餐饮单一",
                        "与机关各部门熟悉，但服务意识和会议技术支持弱"),
    },
    "tmc": {
        "positioning": ("企业差旅平台，主攻大中型企业的差旅集中管理",
                        "差旅管理公司（TMC），把差旅和会议打包托管"),
    },
    "wedding": {
        "positioning": ("婚宴和家宴专门店，主打仪式感和性价比",
                        "一站式婚礼会馆，场地、婚庆、宴席全包"),
        "market_strategy": ("与婚庆公司、摄影机构捆绑套餐",
                            "淡季婚宴立减，赠送婚房和仪式布置"),
        "strongholds": ("装修新、仪式感强，但停车和交通不便",
                        "套餐划算，但厅小桌数少，大型婚宴容纳不下"),
    },
}  # fmt: skip

# Plan actions: (title, owner role, the measure of the goal it serves); the first is in every plan.
ACTION_FIRST = ("提交年度会议框架协议报价", "kam", "revenue")
ACTIONS = (
    ("邀请{gm}参加酒店客户答谢晚宴", "lead", "supplier_stage"),
    ("拜访{person}，汇报合作情况并听取意见", "kam", "contact_stage"),
    ("组织对方行政团队酒店体验日", "colleague", "coverage"),
    ("与采购部确认协议价续签条款", "kam", "transactions"),
    ("整理对方全年会议日历，提前锁定场地", "colleague", "share_of_wallet"),
    ("季度满意度回访并形成改进清单", "kam", "margin"),
    ("总经理与对方高层互访", "manager", "kotler_level"),
    ("为{person}定制下半年会议套餐方案", "kam", "revenue"),
    ("邀请{person}参加新菜品品鉴会", "colleague", "contact_stage"),
    ("梳理对方财务审批流程，认识财务负责人", "kam", "coverage"),
    ("针对{rival}的报价准备成本对比材料", "lead", "share_of_wallet"),
    ("年会场地踩点与方案演示", "kam", "manual"),
    ("与对方签订年度框架协议", "lead", "supplier_stage"),
    ("安排{gm}参观新装修的宴会厅", "manager", "kotler_level"),
)
LATE_NOTES = ("对方负责人出差，待改期", "报价在等我方总经理审批", "对方年度预算未批，暂缓",
              "人手紧张，尚未安排", "对方人员调整，联系人待确认")  # fmt: skip
CANCEL_NOTES = ("对方取消了该活动", "与其他行动合并", "对方改为线上会议，不再需要")

KICKOFF_MINUTES = (
    "{short}年度计划启动会：回顾上一年合作，确认今年目标和分工。",
    "{short}新列为重点客户，计划启动：梳理决策链，先与{person}建立联系，了解对方全年会议安排。",
    "启动会：{short}今年会议需求增加，{rival}也在争取；先拿下年会，再谈年度框架协议。",
)
MEETINGS = {
    "business": (
        "承接{short}经销商大会，约 {n}0 人，会后反馈良好；",
        "{short}新品发布会在我店举办；",
        "{short}管理层培训班在我店连办三天；",
        "{short}客户答谢宴 {n} 桌顺利完成；",
    ),
    "government": (
        "承办{short}招商推介会，规格高、流程顺；",
        "{short}专家评审会在我店召开，共 {n} 人；",
        "{short}全市培训班在我店举办，食宿一体；",
    ),
    "association": (
        "{short}理事会在我店召开，为年会选址打下基础；",
        "{short}学术年会筹备会在我店举行，约 {n} 人；",
        "{short}卫星会和继续教育培训落地我店；",
    ),
}
PEOPLE_NOTES = (
    "与{person}的关系明显升温，对方主动介绍内部采购安排；",
    "{gm}对我们的服务表示认可，但提醒要控制成本；",
    "对方行政部人员调整，需要尽快认识新负责人；",
    "{person}近期很少回复，需要找机会当面沟通；",
    "与财务部的接触仍然偏少，钱包份额提升低于预期；",
)
RIVAL_NOTES = (
    "{rival}报价比我方低约一成，对方采购部有所动摇；",
    "{rival}邀请对方高层参加品鉴活动，需要关注；",
    "对方部分散客预订转到了{rival}；",
    "{rival}服务出现投诉，对方对我们的评价更高；",
)
BEHIND_NOTES = (
    "计划行动有 {k} 项未按期完成，主要因为人手紧张；",
    "{k} 项行动逾期，对方年度预算未批，多项安排推迟；",
)
ON_TRACK_NOTES = ("计划行动全部按期完成。", "行动按计划推进，无逾期。")
DECISIONS = (
    "{month}月内由{lead}拜访{gm}",
    "针对{rival}的报价，不跟降价格，改为增加增值服务",
    "{colleague}负责对接采购部，每月通一次气",
    "月底前由{kam}提交年会报价",
    "为{person}单独准备成本对比方案",
    "把关系负责人分散到更多同事，避免只靠{kam}一人",
    "请{manager}出面邀请对方高层来店考察",
    "下次复盘检查行动完成率",
)
