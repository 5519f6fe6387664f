"""The words of the demo's service cases: what customers complain about, ask for and praise,
per category, with the root cause and what was done (Chinese, as a hotel's team writes them),
and the knowledge base's solutions."""

from __future__ import annotations

#: category code → [(subject, description, root cause, resolution)] for complaints.
COMPLAINTS = {
    "room": [
        (
            "会议期间客房噪音大",
            "参会嘉宾反映隔壁楼层装修，夜间无法休息。",
            "工程部夜间施工未通知前台",
            "为嘉宾换房至行政楼层，致歉并赠送早餐",
        ),
        ("客房空调不制冷", "入住当晚空调制冷效果差。", "空调滤网堵塞", "工程部维修，赠送水果"),
        (
            "房间未按要求安排无烟房",
            "预订时已注明无烟房。",
            "预订备注未同步到前台",
            "立即换房，完善预订备注流程",
        ),
    ],
    "fnb": [
        (
            "宴会上菜速度慢",
            "年会晚宴热菜间隔过长，宾客等待。",
            "厨房人手不足",
            "宴会厅增派人手，下次宴会九折",
        ),
        ("自助早餐品种少", "连续三天早餐品种重复。", "菜单轮换未执行", "调整菜单轮换，赠送下午茶"),
    ],
    "billing": [
        ("发票抬头开错", "会议费发票抬头与合同不一致。", "财务录入错误", "作废重开发票并快递寄出"),
        (
            "协议价未生效",
            "员工入住按门市价结算。",
            "协议价未维护到系统",
            "差额退还，系统补录协议价",
        ),
    ],
    "reservation": [
        (
            "团队房预留不足",
            "到店时少了五间房。",
            "团队房预留被散客占用",
            "安排姐妹酒店入住并承担交通",
        ),
    ],
    "event": [
        (
            "会议室投影故障",
            "发布会开场前投影无法使用。",
            "设备未提前调试",
            "更换设备，会场费减免一成",
        ),
        ("茶歇未按时送达", "上午茶歇晚了二十分钟。", "排班交接遗漏", "致歉并补送茶歇"),
    ],
    "staff": [
        (
            "前台服务态度冷淡",
            "办理入住时员工态度生硬。",
            "新员工培训不足",
            "当面致歉，安排服务礼仪培训",
        ),
    ],
    "facilities": [
        ("停车位不足", "会议当天嘉宾车辆无法停放。", "未预留会议车位", "协调周边车位并报销停车费"),
    ],
}

#: category code → requests (subject, description, resolution).
REQUESTS = {
    "room": [("延迟退房", "希望延迟至下午四点退房。", "已安排延迟退房")],
    "reservation": [("增加十间会议用房", "因参会人数增加需追加房间。", "已追加十间并确认价格")],
    "billing": [("申请月结账单", "希望按月汇总结算。", "已开通月结")],
    "event": [("更换宴会菜单", "希望调整年会菜单，增加素食。", "已与厨房确认新菜单")],
    "fnb": [("安排生日蛋糕", "为客户高管准备生日蛋糕。", "已按时送到房间")],
}

#: category code → praise.
PRAISE = {
    "staff": [("表扬宴会服务团队", "年会服务细致周到，特此表扬。")],
    "event": [("会议组织顺利", "发布会流程顺畅，感谢会务团队。")],
    "fnb": [("菜品得到好评", "欢迎晚宴菜品获得嘉宾一致好评。")],
}

#: category code → knowledge base (title, title_en, body, body_en).
SOLUTIONS = {
    "room": [
        (
            "噪音投诉：换房并致歉",
            "Noise: move the guest and apologise",
            "1. 立即致歉并确认噪音来源；2. 优先换至安静楼层或升级房型；"
            "3. 通知工程部暂停施工；4. 次日回访。",
            "1. Apologise and find the source; 2. move the guest to a quiet floor or upgrade; "
            "3. ask engineering to stop the works; 4. call back the next day.",
        ),
        (
            "设施故障：维修与补偿",
            "Faulty equipment: repair and make good",
            "30 分钟内安排工程部上门；无法修复则换房；视情况赠送早餐或水果。",
            "Engineering within 30 minutes; move the guest if it cannot be fixed; "
            "a breakfast or fruit as a gesture.",
        ),
    ],
    "fnb": [
        (
            "上菜慢：加派人手并补偿",
            "Slow service: more hands and a gesture",
            "现场增派服务员，主动告知出菜时间，事后给予下次宴会折扣。",
            "Add waiters on the spot, tell the guests when the dishes come, "
            "offer a discount on the next banquet.",
        ),
    ],
    "billing": [
        (
            "发票错误：当日重开",
            "Wrong invoice: reissue the same day",
            "核对合同抬头与税号，作废原票当日重开，快递寄出并电话确认。",
            "Check the contract's name and tax number, void and reissue the same day, "
            "courier it and call to confirm.",
        ),
    ],
    "event": [
        (
            "会场设备故障：备用设备",
            "Venue equipment failure: the spare",
            "每场会议前一小时调试设备并准备备用投影与话筒；故障时五分钟内更换。",
            "Test the equipment an hour before every event with a spare projector and microphone; "
            "swap within five minutes.",
        ),
    ],
    "staff": [
        (
            "服务态度投诉：当面致歉",
            "Staff manner: apologise in person",
            "由部门经理当面致歉，了解经过，安排员工培训并回访客户。",
            "The department manager apologises in person, hears what happened, trains the staff "
            "and calls the customer back.",
        ),
    ],
}
GENERAL_SOLUTION = (
    "LSPCAS 处理六步",
    "The six LSPCAS steps",
    "倾听 → 分担 → 澄清 → 提出方案 → 请求行动 → 跟进。先让客户把话说完，再确认问题与期望。",
    "Listen → share → clarify → present solutions → ask for action → follow up. "
    "Let the customer finish first, then confirm the problem and what they expect.",
)
