"""Word lists for the demo hotel/MICE group (a Qingdao-based group, as in seed 000).

Names of organisations are invented from generic words; OTA and agency names are made up so no
real trademark is used. Everything here is static: the generator draws from it with its own
seeded random generator.
"""

from __future__ import annotations

DEMO_PASSWORD = "guanxi-demo-2026"
ADMIN_USERNAME = "admin"

# How the demo marks what it writes: account and contact codes, the source of its transactions
# and payments, the change reason of its audit rows.
CODE_PREFIX = "DM-"
DEMO_SOURCE = "demo"
CHANGE_REASON = "demo data"

# (name, description)
TEAMS = (
    (
        "会展销售部",
        "MICE sales: associations, conference organisers, corporate meeting departments",
    ),
    ("政企销售部", "Government bodies, state-owned enterprises and public institutions"),
    ("商务与渠道", "Negotiated-rate companies, OTA, travel agencies and individual key customers"),
)

# (username, family name, given name, role, team index or None, phone)
STAFF = (
    ("zhoumin", "周", "敏", "manager", None, "13805320001"),
    ("chenjing", "陈", "静", "team_lead", 0, "13805320011"),
    ("wangfang", "王", "芳", "kam", 0, "13805320012"),
    ("lina", "李", "娜", "kam", 0, "13805320013"),
    ("sunhao", "孙", "浩", "kam", 0, "13805320014"),
    ("liuyang", "刘", "洋", "team_lead", 1, "13805320021"),
    ("zhangwei", "张", "伟", "kam", 1, "13805320022"),
    ("yangfan", "杨", "帆", "kam", 1, "13805320023"),
    ("wuting", "吴", "婷", "kam", 1, "13805320024"),
    ("zhaolei", "赵", "磊", "team_lead", 2, "13805320031"),
    ("huangjie", "黄", "杰", "kam", 2, "13805320032"),
    ("xuli", "徐", "丽", "kam", 2, "13805320033"),
    ("gaopeng", "高", "鹏", "kam", 2, "13805320034"),
)

# (province, city, weight): the group's home market (Shandong) dominates.
CITIES = (
    ("山东省", "青岛市", 30),
    ("山东省", "济南市", 8),
    ("山东省", "烟台市", 5),
    ("山东省", "潍坊市", 4),
    ("山东省", "威海市", 2),
    ("北京市", "北京市", 9),
    ("上海市", "上海市", 8),
    ("天津市", "天津市", 3),
    ("江苏省", "南京市", 3),
    ("江苏省", "苏州市", 3),
    ("浙江省", "杭州市", 3),
    ("浙江省", "宁波市", 2),
    ("广东省", "广州市", 3),
    ("广东省", "深圳市", 3),
    ("河南省", "郑州市", 2),
    ("湖北省", "武汉市", 2),
    ("四川省", "成都市", 2),
    ("陕西省", "西安市", 2),
    ("辽宁省", "大连市", 2),
    ("辽宁省", "沈阳市", 2),
    ("安徽省", "合肥市", 2),
    ("安徽省", "亳州市", 1),
    ("河北省", "石家庄市", 1),
)

# Province → regional cuisine (经历信息: the food of the place they grew up).
CUISINE = {
    "山东省": "鲁菜，爱吃海鲜和面食",
    "北京市": "京菜，爱吃烤鸭和炸酱面",
    "上海市": "本帮菜，口味偏甜",
    "天津市": "津菜，爱吃煎饼果子",
    "江苏省": "淮扬菜，口味清淡偏甜",
    "浙江省": "浙菜，喜欢清鲜",
    "广东省": "粤菜，喜欢煲汤和早茶",
    "河南省": "豫菜，爱吃烩面",
    "湖北省": "鄂菜，爱吃热干面",
    "四川省": "川菜，无辣不欢",
    "陕西省": "西北菜，爱吃面食和羊肉",
    "辽宁省": "东北菜，口味偏重",
    "安徽省": "徽菜，爱吃羊肉汤",
    "河北省": "冀菜，爱吃驴肉火烧",
}

# Two-character name stems with a romanisation for domains and English names.
STEMS = (
    ("鼎盛", "Dingsheng"), ("瑞丰", "Ruifeng"), ("华信", "Huaxin"), ("海润", "Hairun"),
    ("金桥", "Jinqiao"), ("恒远", "Hengyuan"), ("东岳", "Dongyue"), ("蓝海", "Lanhai"),
    ("泰和", "Taihe"), ("宏达", "Hongda"), ("中科", "Zhongke"), ("新澜", "Xinlan"),
    ("博远", "Boyuan"), ("正元", "Zhengyuan"), ("嘉禾", "Jiahe"), ("信诚", "Xincheng"),
    ("万隆", "Wanlong"), ("天成", "Tiancheng"), ("同舟", "Tongzhou"), ("明德", "Mingde"),
    ("安康", "Ankang"), ("瀚海", "Hanhai"), ("启明", "Qiming"), ("润华", "Runhua"),
    ("立信", "Lixin"), ("卓越", "Zhuoyue"), ("远航", "Yuanhang"), ("青禾", "Qinghe"),
    ("北辰", "Beichen"), ("盛世", "Shengshi"), ("汇通", "Huitong"), ("聚源", "Juyuan"),
    ("海岳", "Haiyue"), ("崂峰", "Laofeng"), ("琴岛", "Qindao"), ("齐鲁", "Qilu"),
    ("黄海", "Huanghai"), ("银河", "Yinhe"), ("九州", "Jiuzhou"), ("长风", "Changfeng"),
    ("德润", "Derun"), ("鸿基", "Hongji"), ("星河", "Xinghe"), ("众合", "Zhonghe"),
    ("永盛", "Yongsheng"), ("华岳", "Huayue"), ("光启", "Guangqi"), ("和瑞", "Herui"),
)  # fmt: skip

# Government bodies (政府机关) and institutions, "{city}" filled in.
GOVERNMENT_BODIES = (
    "{city}人民政府办公厅", "{city}商务局", "{city}文化和旅游局", "{city}卫生健康委员会",
    "{city}教育局", "{city}科学技术局", "{city}财政局", "{city}工业和信息化局",
    "{city}发展和改革委员会", "{city}市场监督管理局", "{city}人力资源和社会保障局",
    "{city}贸促会", "{city}海洋发展局", "{city}交通运输局", "{city}税务局",
)  # fmt: skip
INSTITUTIONS = (
    "{city}第一人民医院",
    "{city}中心医院",
    "{stem}大学",
    "{city}职业技术学院",
    "{city}科学院{stem}研究所",
    "{city}广播电视台",
)
# State-owned groups (国企), "{prov}" is a short province name.
SOE_PATTERNS = (
    "{prov}{stem}投资集团有限公司", "{prov}{stem}能源集团有限公司",
    "{prov}港口{stem}集团有限公司", "{prov}{stem}建设集团有限公司",
    "{prov}{stem}城市发展集团有限公司", "{prov}{stem}交通集团有限公司",
    "{prov}{stem}银行股份有限公司", "{prov}{stem}电力有限公司",
)  # fmt: skip
PROVINCE_SHORT = {
    "山东省": "山东", "北京市": "北京", "上海市": "上海", "天津市": "天津", "江苏省": "江苏",
    "浙江省": "浙江", "广东省": "广东", "河南省": "河南", "湖北省": "湖北", "四川省": "四川",
    "陕西省": "陕西", "辽宁省": "辽宁", "安徽省": "安徽", "河北省": "河北",
}  # fmt: skip

ASSOCIATIONS = (
    "中国{field}协会",
    "{prov}{field}学会",  # prov: the full name, 辽宁省 or 北京市
    "中华医学会{med}分会",
    "{prov}{field}行业协会",
    "国际{field}大会组委会",
    "{city}会展业协会",
)
ASSOCIATION_FIELDS = (
    "医疗器械", "汽车工程", "软件行业", "海洋科学", "食品工业", "旅游饭店", "物流与采购",
    "建筑装饰", "电子学", "生物工程", "律师", "注册会计师", "口腔医学", "眼科",
)  # fmt: skip
MEDICAL_BRANCHES = ("心血管病学", "肿瘤学", "内分泌学", "神经病学", "儿科学", "呼吸病学")
CONFERENCE_ORGANISERS = (
    "{stem}会展服务有限公司",
    "{stem}国际会议策划有限公司",
    "{stem}文化传播有限公司",
)
MICE_CORPORATES = (
    ("{stem}制药股份有限公司", "pharma"),
    ("{stem}生物医药有限公司", "pharma"),
    ("{stem}医疗器械有限公司", "pharma"),
    ("{stem}汽车销售服务有限公司", "automotive"),
    ("{stem}汽车零部件股份有限公司", "automotive"),
    ("{stem}软件股份有限公司", "technology"),
    ("{stem}信息技术有限公司", "technology"),
    ("{stem}保险股份有限公司", "finance"),
    ("{stem}家电集团有限公司", "manufacturing"),
)
CORPORATE_INDUSTRIES = (
    ("technology", 18), ("finance", 14), ("manufacturing", 16), ("real_estate", 8),
    ("retail", 12), ("pharma", 6), ("automotive", 6), ("energy", 5), ("media", 6),
    ("education", 4), ("other", 5),
)  # fmt: skip
INDUSTRY_SUFFIX = {
    "technology": ("科技有限公司", "网络科技有限公司", "信息技术有限公司"),
    "finance": ("证券股份有限公司", "融资租赁有限公司", "保险经纪有限公司"),
    "manufacturing": ("机械制造有限公司", "橡胶制品有限公司", "精密电子有限公司"),
    "real_estate": ("置业有限公司", "建筑工程有限公司"),
    "retail": ("商贸有限公司", "食品有限公司", "连锁超市有限公司"),
    "pharma": ("医药有限公司",),
    "automotive": ("汽车服务有限公司",),
    "energy": ("新能源有限公司", "燃气有限公司"),
    "media": ("文化传媒有限公司", "广告有限公司"),
    "education": ("教育科技有限公司", "培训学校"),
    "other": ("咨询有限公司", "物流有限公司", "贸易有限公司"),
}
# Invented OTA platforms (no real trademarks) and travel agencies.
OTA_NAMES = (
    ("游途旅行网", "Youtu Travel"), ("飞象旅行", "Feixiang Trip"), ("美程生活", "Meicheng Life"),
    ("途悠网", "Tuyou"), ("逸行商旅", "Yixing Business Travel"), ("智游天下", "Zhiyou"),
    ("趣订酒店", "Qiding Hotels"), ("云游商旅", "Yunyou"),
)  # fmt: skip
TRAVEL_AGENCIES = (
    "{city_short}{stem}国际旅行社有限公司",
    "{stem}旅游集团有限公司",
    "{city_short}{stem}假期旅行社",
)
WEDDING_COMPANIES = (
    "{stem}婚礼策划有限公司",
    "{city_short}{stem}婚庆服务有限公司",
    "{stem}宴会礼仪有限公司",
)

# Contact titles by kind of account: (title, department, seniority 0..2).
TITLES = {
    "government": (
        ("局长", "局领导", 2),
        ("副局长", "局领导", 2),
        ("办公室主任", "办公室", 1),
        ("综合处处长", "综合处", 1),
        ("接待科科长", "办公室", 1),
        ("科员", "办公室", 0),
    ),
    "institution": (
        ("院长", "院办", 2),
        ("副院长", "院办", 2),
        ("办公室主任", "院办", 1),
        ("科研处处长", "科研处", 1),
        ("会务负责人", "院办", 0),
    ),
    "soe": (
        ("董事长", "董事会", 2),
        ("总经理", "总经理办公室", 2),
        ("副总经理", "总经理办公室", 2),
        ("办公室主任", "综合办公室", 1),
        ("行政经理", "行政部", 1),
        ("工会主席", "工会", 1),
        ("采购经理", "采购部", 0),
    ),
    "association": (
        ("秘书长", "秘书处", 2),
        ("副秘书长", "秘书处", 2),
        ("会务负责人", "会务部", 1),
        ("项目经理", "会务部", 0),
    ),
    "mice_corporate": (
        ("市场总监", "市场部", 2),
        ("会务负责人", "市场部", 1),
        ("医学事务经理", "医学部", 1),
        ("活动经理", "市场部", 0),
        ("采购经理", "采购部", 0),
        ("行政经理", "行政部", 0),
    ),
    "corporate": (
        ("总经理", "总经办", 2),
        ("副总经理", "总经办", 2),
        ("总经理助理", "总经办", 1),
        ("行政经理", "行政部", 1),
        ("采购经理", "采购部", 0),
        ("行政主管", "行政部", 0),
    ),
    "ota": (
        ("区域经理", "酒店事业部", 2),
        ("酒店BD经理", "酒店事业部", 1),
        ("收益经理", "收益管理部", 1),
        ("渠道运营专员", "运营部", 0),
    ),
    "travel_agency": (
        ("总经理", "总经办", 2),
        ("计调经理", "计调部", 1),
        ("销售经理", "销售部", 0),
    ),
    "wedding": (
        ("总经理", "总经办", 2),
        ("策划总监", "策划部", 1),
        ("婚礼策划师", "策划部", 0),
    ),
}

# (name, description in Chinese, in English): the tag list shows the one of the page's language.
TAGS = (
    ("年度框架", "年度框架协议客户", "Annual framework agreement"),
    ("高潜力", "高潜力客户", "High potential"),
    ("价格敏感", "对价格敏感", "Price sensitive"),
    ("重点维护", "需重点维护的关系", "Key relationship to maintain"),
    ("协议价", "按协议价结算", "Negotiated rate"),
    ("长期合作", "长期合作客户", "Long-standing customer"),
    ("竞品在用", "同时在用竞争对手的产品", "Also uses a competitor"),
    ("需回访", "需安排回访", "Follow-up visit due"),
    ("返点协议", "签有返点协议", "Rebate agreement"),
)

ETHNICITIES = (("汉族", 86), ("回族", 4), ("满族", 4), ("蒙古族", 2), ("朝鲜族", 2), ("壮族", 2))
APPEARANCE = (
    "戴方框眼镜", "喜欢穿西装", "右眼下角有颗痣", "短发，精神干练", "身材高大，声音洪亮",
    "常穿中式立领衬衫", "戴金丝边眼镜", "个子不高，说话很快", "习惯戴手表（机械表）", "头发花白",
)  # fmt: skip
PERSONALITY = (
    "内敛 含蓄 不爱表达观点", "爽快健谈，喜欢交朋友", "注重细节，做事严谨", "雷厉风行，讨厌拖沓",
    "重感情，讲义气", "谨慎保守，决策慢", "喜欢被尊重，注重面子", "务实，只看数据和结果",
)  # fmt: skip
BACKGROUNDS = (
    "部队转业，作风干练", "海归，曾在外企工作十年", "本地长大，一直在本单位工作",
    "从基层销售做起，十年升至管理层", "曾在五星级酒店做过宴会销售，懂行", "名校MBA毕业",
)  # fmt: skip
TASTES = ("偏清淡，喜甜食", "口味偏重，喜辣", "清淡少油", "喜欢海鲜原味", "口味适中，不吃太咸")
SERVICE_SPEED = ("便捷高效，服务要求高", "上菜要快", "喜欢慢节奏，不喜被催促")
ENVIRONMENTS = ("安静包间", "靠窗位置", "无烟环境", "能看海的包间", "私密性好的小包间")
ROOM_PREFS = (
    "高楼层，无烟", "大床房，远离电梯", "海景房", "需要加硬枕头", "行政楼层，含酒廊", "安静，朝南",
)  # fmt: skip
MEETING_PREFS = (
    "U形摆台，需同传设备", "课桌式，每排配插线板", "茶歇要有现磨咖啡", "需要独立签到区和贵宾休息室",
    "投影要激光高清，提前一天彩排", "会场温度偏低一些",
)  # fmt: skip
BRANDS = ("华为", "苹果", "Hugo Boss", "耐克", "始祖鸟", "李宁", "海尔", "比亚迪", "万宝龙", "安踏")
SPORTS = ("高尔夫", "网球", "羽毛球", "游泳", "钓鱼", "登山", "乒乓球", "马拉松", "瑜伽", "帆船")
DISHES = (
    "东山老鹅", "锅烫毛肚", "羊肉糊汤面", "葱烧海参", "油焖大虾", "辣炒蛤蜊", "鲅鱼水饺",
    "清蒸石斑鱼", "九转大肠", "糖醋鲤鱼", "海胆蒸蛋", "崂山菇炖鸡", "红烧肉", "白灼虾",
)  # fmt: skip
DRINKS = (
    "崂山绿茶",
    "普洱茶",
    "龙井",
    "干红葡萄酒",
    "白酒（酱香型）",
    "扎啤",
    "苏打水",
    "美式咖啡",
)
COLOURS = ("蓝色", "红色", "黑色", "白色", "灰色", "绿色")
READING = ("历史", "财经杂志", "武侠小说", "人物传记", "管理类书籍", "诗词")
HABITS = (
    "宴请喜欢提前点好菜", "每次都订同一个包间", "习惯刷卡挂账", "喜欢带家人周末来用餐",
    "客人多时喜欢圆桌", "结账要求开专票",
)  # fmt: skip
DIETARY = ("猪肉", "牛肉", "香菜", "辣", "葱蒜", "动物内脏")
ALLERGIES = ("海鲜", "花生", "芒果", "虾蟹", "牛奶")
OTHER_TABOOS = (
    "忌讳数字4，房号避开", "不喜欢靠门的座位", "饭桌上不谈工作", "不喜欢被劝酒",
    "不喜欢香水味浓的房间",
)  # fmt: skip
TRIPS = ("每月赴北京出差2–3次", "常驻上海，每季度来青岛", "经常陪领导外出考察", "很少出差")
PROMOTIONS = (
    "{year}年由行政经理升任行政总监", "{year}年调任现职", "{year}年提拔为副总经理",
    "{year}年从外地分公司调回总部",
)  # fmt: skip
RESPONSIBILITIES = (
    "负责公司年度会议和差旅采购", "负责领导接待和公务宴请", "负责学术会议的场地和酒店遴选",
    "负责经销商大会和客户答谢会", "负责员工团建和年会", "负责外宾接待",
)  # fmt: skip
COMPANY_EVENTS = (
    "每年11月举办经销商大会", "每年3月举办学术年会", "年底举办年会，300人左右",
    "{year}年公司成立二十周年", "{year}年完成上市", "{year}年新工厂投产",
)  # fmt: skip
FAMILY_EVENTS = ("女儿{year}年高考", "父亲{year}年八十大寿", "儿子{year}年结婚", "{year}年乔迁新居")
PREVIOUS_VENUES = ("本地某五星级酒店", "市中心商务酒店", "会展中心周边快捷酒店", "海边度假酒店")

RELIGIONS = ("佛教", "基督教")
EDUCATION = ("college", "bachelor", "bachelor", "master", "master", "doctorate", "secondary")
