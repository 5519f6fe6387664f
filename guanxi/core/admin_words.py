"""Django admin's own page titles, worded again in Simplified Chinese.

Django's zh_Hans catalogue puts spaces around the model's name ("选择 客户 来修改", "修改 联系人"),
which Chinese does not. Guanxi's catalogue (LOCALE_PATHS) comes before Django's, so an entry
for the same msgid there wins. The msgids are marked here, never called, so that makemessages
finds them in our code and `guanxi/locale/update.sh` keeps their entries (it keeps what our code
or the vendored unfold/simple_history strings use, and drops the rest).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

#: Django's msgids (django/contrib/admin), exactly as Django spells them.
DJANGO_ADMIN_TITLES = (
    gettext_noop("Select %s to change"),  # the list page: 选择%s来修改
    gettext_noop("Select %s to view"),  # the list page, read only: 选择%s查看
    gettext_noop("Select %s"),  # the list in a pop-up: 选择%s
    gettext_noop("Add %s"),  # the add page: 添加%s
    gettext_noop("Change %s"),  # the change page: 修改%s
    gettext_noop("View %s"),  # the change page, read only: 查看%s
    gettext_noop("Change history: %s"),  # the history page: 变更历史：%s
)
