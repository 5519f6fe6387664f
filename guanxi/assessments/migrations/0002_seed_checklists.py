"""The two checklists of seed 003's 客户状态分析表: the willingness assessment (客户意愿评估, its
ten questions) and the quality assessment (客户素质评估, its ten questions), with answer options
and weights; editable in the admin afterwards."""

from django.db import migrations

CLEAR = [("清楚", "Clearly", 2), ("部分了解", "Partly", 1), ("不知道", "Not at all", 0)]

WILLINGNESS = [
    ("是否使用过同类产品？", "Has the customer used similar products?", 1,
     [("经常使用", "Uses them often", 2), ("用过", "Has used them", 1), ("从未用过", "Never", 0)]),
    ("是否知道本公司产品？", "Does the customer know our products?", 1,
     [("很熟悉", "Knows them well", 2), ("听说过", "Has heard of them", 1), ("不知道", "No", 0)]),
    ("对本公司产品了解多少？了解什么？", "How much do they know about our products, and what?", 1,
     [("深入了解", "In depth", 2), ("了解一些", "Some", 1), ("几乎不了解", "Hardly anything", 0)]),
    ("对其他公司同类产品了解多少？", "How much do they know about competitors' similar products?", 1,
     [("深入了解", "In depth", 2), ("了解一些", "Some", 1), ("几乎不了解", "Hardly anything", 0)]),
    ("是否知道其他人在用该产品？", "Do they know that others use the product?", 1,
     [("知道且认可", "Yes, and they value it", 2), ("知道", "Yes", 1), ("不知道", "No", 0)]),
    ("是否知道使用该产品如何获得价值？", "Do they know how using the product brings value?", 1, CLEAR),
    ("是否知道产品质量不好的后果？", "Do they know the consequences of poor product quality?", 1, CLEAR),
    ("是否知道产品或服务的时间质量的影响？",
     "Do they know how timeliness of the product or service matters?", 1, CLEAR),
    ("对方在采购决策中的影响力是多少？", "How much influence do they have on the purchase decision?", 2,
     [("拍板决策", "Makes the decision", 3), ("影响较大", "Strong influence", 2),
      ("有一定影响", "Some influence", 1), ("几乎没有", "Hardly any", 0)]),
    ("采购决策的人数？", "How many people take the purchase decision?", 2,
     [("1–2人", "1–2", 2), ("3–5人", "3–5", 1), ("5人以上或不清楚", "More than 5, or unknown", 0)]),
]

QUALITY = [
    ("客户的学历状况如何？", "What is the customer's education?", 1,
     [("研究生及以上", "Postgraduate", 2), ("本科", "Bachelor's degree", 1),
      ("大专及以下或不清楚", "College or less, or unknown", 0)]),
    ("客户平常阅读报纸、杂志、图书的情况如何？",
     "How much does the customer read newspapers, magazines and books?", 1,
     [("广泛且经常", "Widely and often", 2), ("偶尔", "Now and then", 1), ("很少", "Rarely", 0)]),
    ("客户是否迷信？算命、风水、易经、八字？",
     "Is the customer superstitious (fortune telling, feng shui, the I Ching, bazi)?", 1,
     [("不迷信", "No", 2), ("有些讲究", "Somewhat", 1), ("非常迷信", "Very", 0)]),
    ("客户对自己企业或者个人的评价？感觉？", "How does the customer judge their company and self?", 1,
     [("客观自信", "Fairly and confidently", 2), ("偏高或偏低", "Too high or too low", 1),
      ("不清楚", "Unknown", 0)]),
    ("客户从事商业活动的时间？", "How long has the customer been in business?", 1,
     [("10年以上", "More than 10 years", 2), ("3–10年", "3–10 years", 1),
      ("3年以下", "Under 3 years", 0)]),
    ("客户是否经历过坎坷？", "Has the customer been through hard times?", 1,
     [("经历过并走出来", "Yes, and came through", 2), ("经历过一些", "Some", 1),
      ("没有或不清楚", "No, or unknown", 0)]),
    ("客户在行业中的位置？发展趋势如何？", "Where does the customer stand in the industry, and where is it heading?", 2,
     [("领先且上升", "Leading and rising", 3), ("中上且平稳", "Upper middle and steady", 2),
      ("一般", "Average", 1), ("落后或下滑", "Behind or declining", 0)]),
    ("客户周围的人对他的评价和认知如何？", "How do the people around the customer see them?", 1,
     [("评价很好", "Very well", 2), ("一般", "Average", 1), ("较差", "Poorly", 0)]),
    ("是否认识到客户的稳定的价值观、商业观？", "Do we know the customer's settled values and business outlook?", 1,
     [("清楚且稳定", "Yes, settled", 2), ("部分了解", "Partly", 1), ("不清楚", "No", 0)]),
    ("商业以及生活在客户心目中所占的比重如何？", "How does the customer weigh business against private life?", 1,
     [("兼顾平衡", "In balance", 2), ("偏重一方", "One side first", 1), ("不清楚", "Unknown", 0)]),
]

CHECKLISTS = [
    ("willingness", "willingness", "客户意愿评估", "Willingness assessment", WILLINGNESS),
    ("quality", "quality", "客户素质评估", "Quality assessment", QUALITY),
]


def seed(apps, schema_editor):
    Checklist = apps.get_model("assessments", "Checklist")
    Question = apps.get_model("assessments", "Question")
    Option = apps.get_model("assessments", "Option")
    for code, kind, name, name_en, questions in CHECKLISTS:
        checklist, created = Checklist.objects.get_or_create(
            code=code, defaults={"kind": kind, "name": name, "name_en": name_en}
        )
        if not created:
            continue
        for position, (text, text_en, weight, options) in enumerate(questions, start=1):
            question = Question.objects.create(
                checklist=checklist, position=position, text=text, text_en=text_en, weight=weight
            )
            Option.objects.bulk_create(
                Option(question=question, position=i, label=label, label_en=label_en, points=p)
                for i, (label, label_en, p) in enumerate(options, start=1)
            )


def unseed(apps, schema_editor):
    apps.get_model("assessments", "Checklist").objects.filter(
        code__in=[c[0] for c in CHECKLISTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
