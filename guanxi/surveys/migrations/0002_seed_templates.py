"""The three built-in survey templates, in zh-Hans and en: NPS, CSAT and SERVQUAL.

SERVQUAL's 22 items follow Parasuraman, Zeithaml and Berry (1988), worded for us; each is rated
for expectation ("an excellent company would …") and perception ("we …") on 1–7.
"""

from django.db import migrations

NPS = [
    (
        "nps",
        "",
        "您有多大可能向朋友或同事推荐我们？（0 = 完全不可能，10 = 极有可能）",
        "How likely are you to recommend us to a friend or colleague? (0 = not at all, 10 = extremely likely)",
    ),
    ("comment", "", "您给出这个分数的主要原因是什么？", "What is the main reason for your score?"),
]
CSAT = [
    (
        "csat",
        "",
        "总体而言，您对我们的服务满意吗？（1 = 非常不满意，5 = 非常满意）",
        "Overall, how satisfied are you with our service? (1 = very dissatisfied, 5 = very satisfied)",
    ),
    ("comment", "", "有什么需要我们改进的吗？", "Is there anything we should improve?"),
]
SERVQUAL = [
    ("tangibles", "拥有现代化的设备。", "We have modern-looking equipment."),
    ("tangibles", "有形设施外观吸引人。", "Our physical facilities are visually appealing."),
    ("tangibles", "员工衣着整洁、仪表得体。", "Our employees are neat in appearance."),
    (
        "tangibles",
        "与服务相关的资料（如宣传册、账单）美观清晰。",
        "Materials associated with our service (such as brochures or statements) are visually appealing.",
    ),
    (
        "reliability",
        "承诺在某个时间内完成的事，都能按时完成。",
        "When we promise to do something by a certain time, we do so.",
    ),
    (
        "reliability",
        "您遇到问题时，我们真诚地帮助解决。",
        "When you have a problem, we show a sincere interest in solving it.",
    ),
    ("reliability", "第一次就把服务做好。", "We perform the service right the first time."),
    ("reliability", "在承诺的时间提供服务。", "We provide our services at the time we promise to."),
    ("reliability", "坚持记录准确无误。", "We insist on error-free records."),
    (
        "responsiveness",
        "员工告诉您提供服务的确切时间。",
        "Our employees tell you exactly when services will be performed.",
    ),
    ("responsiveness", "员工为您提供及时的服务。", "Our employees give you prompt service."),
    ("responsiveness", "员工总是乐于帮助您。", "Our employees are always willing to help you."),
    (
        "responsiveness",
        "员工从不因太忙而不回应您的要求。",
        "Our employees are never too busy to respond to your requests.",
    ),
    (
        "assurance",
        "员工的言行让您信任。",
        "The behaviour of our employees instils confidence in you.",
    ),
    ("assurance", "与我们交易时您感到放心。", "You feel safe in your transactions with us."),
    ("assurance", "员工始终对您礼貌周到。", "Our employees are consistently courteous with you."),
    (
        "assurance",
        "员工具备回答您问题的专业知识。",
        "Our employees have the knowledge to answer your questions.",
    ),
    ("empathy", "给予您个别的关心。", "We give you individual attention."),
    (
        "empathy",
        "营业时间方便所有客户。",
        "Our operating hours are convenient to all our customers.",
    ),
    ("empathy", "员工给予您个性化的关注。", "Our employees give you personal attention."),
    ("empathy", "把您的利益放在心上。", "We have your best interests at heart."),
    ("empathy", "员工了解您的具体需求。", "Our employees understand your specific needs."),
]
TEMPLATES = [
    (
        "nps",
        "nps",
        "净推荐值调查（NPS）",
        "Net Promoter Score survey (NPS)",
        "感谢您抽出一分钟时间回答两个问题。",
        "Thank you for taking a minute to answer two questions.",
    ),
    (
        "csat",
        "csat",
        "客户满意度调查（CSAT）",
        "Customer satisfaction survey (CSAT)",
        "感谢您对我们服务的评价。",
        "Thank you for rating our service.",
    ),
    (
        "servqual",
        "servqual",
        "服务质量调查（SERVQUAL）",
        "Service quality survey (SERVQUAL)",
        "请为每一项打两个分：您对一家优秀企业的期望，以及您对我们的实际感受（1 = 非常不同意，7 = 非常同意）。",
        "Please rate each statement twice: what you expect of an excellent company, and how you "
        "find us (1 = strongly disagree, 7 = strongly agree).",
    ),
]


def seed(apps, schema_editor):
    Template = apps.get_model("surveys", "SurveyTemplate")
    Item = apps.get_model("surveys", "SurveyItem")
    items = {
        "nps": [(a, d, zh, en) for a, d, zh, en in NPS],
        "csat": [(a, d, zh, en) for a, d, zh, en in CSAT],
        "servqual": [("servqual", d, zh, en) for d, zh, en in SERVQUAL]
        + [("comment", "", "还有其他意见或建议吗？", "Any other comments or suggestions?")],
    }
    for code, kind, name, name_en, intro, intro_en in TEMPLATES:
        template, created = Template.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "name_en": name_en,
                "intro": intro,
                "intro_en": intro_en,
            },
        )
        if not created:
            continue
        for position, (answer, dimension, text, text_en) in enumerate(items[code], start=1):
            Item.objects.create(
                template=template,
                position=position,
                answer=answer,
                dimension=dimension,
                text=text,
                text_en=text_en,
                required=answer != "comment",
            )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
