"""Dashboard, users, teams and API tokens in the admin."""

import datetime as dt
import re

import time_machine
from django.urls import reverse

from guanxi.core.models import ApiToken, Role, User
from tests.support import make_account, make_contact, make_transaction


def test_dashboard_figures_cover_only_visible_accounts(client, cast):
    make_transaction(account=cast.account, amount="1000.00")
    make_transaction(account=cast.west_account, amount="7000.00")
    client.force_login(cast.alice)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    summary = response.context["dashboard"]
    assert summary.accounts_total == 1
    assert summary.revenue_year == 1000
    assert [a for a, _total in summary.top_accounts] == [cast.account]
    body = response.content.decode()
    assert "华东会展集团" in body and "西部旅行社" not in body
    client.force_login(cast.mia)
    summary = client.get(reverse("admin:index")).context["dashboard"]
    assert (summary.accounts_total, summary.revenue_year) == (2, 8000)


@time_machine.travel(dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC), tick=False)
def test_dashboard_lists_dormant_accounts_and_birthdays(client, cast):
    make_transaction(account=cast.account, when=dt.datetime(2024, 10, 1, tzinfo=dt.UTC))
    fresh = make_account(owner=cast.alice, name="活跃客户")
    make_transaction(account=fresh, when=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))
    make_account(owner=cast.alice, name="从未消费")
    make_contact(account=cast.account, name="寿星", birthday=dt.date(1980, 6, 20))
    make_contact(account=cast.west_account, name="别人的寿星", birthday=dt.date(1980, 6, 21))
    client.force_login(cast.alice)
    response = client.get(reverse("admin:index"))
    summary = response.context["dashboard"]
    assert [a.name for a in summary.dormant_accounts] == ["华东会展集团"]
    assert [c.name for _day, c in response.context["birthdays"]] == ["寿星"]
    assert response.context["birthdays"][0][0] == dt.date(2025, 6, 20)


def test_user_admin_is_for_admins_only(client, cast):
    url = reverse("admin:core_user_changelist")
    for user in (cast.alice, cast.lena, cast.mia):
        client.force_login(user)
        assert client.get(url).status_code == 403, user.username
    boss = User.objects.create_user("root", password="x", role=Role.ADMIN, is_staff=True)
    client.force_login(boss)
    assert client.get(url).status_code == 200


def test_admin_creates_a_user_with_password_role_and_team(client, cast):
    boss = User.objects.create_user("root", password="x", role=Role.ADMIN, is_staff=True)
    client.force_login(boss)
    response = client.post(
        reverse("admin:core_user_add"),
        {
            "username": "newkam",
            "role": "kam",
            "team": cast.east.pk,
            "password1": "a-long-enough-pass-42",
            "password2": "a-long-enough-pass-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="newkam")
    assert (user.role, user.team, user.is_staff) == ("kam", cast.east, True)
    assert user.check_password("a-long-enough-pass-42")
    assert not user.is_superuser


def test_team_admin_is_for_admins_only(client, cast):
    client.force_login(cast.mia)
    assert client.get(reverse("admin:core_team_changelist")).status_code == 403


def test_creating_a_token_shows_the_key_once_and_binds_it_to_the_user(client, cast):
    client.force_login(cast.alice)
    response = client.post(
        reverse("admin:core_apitoken_add"), {"name": "laptop", "user": cast.charlie.pk}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="laptop")
    assert token.user == cast.alice  # a KAM cannot mint tokens for someone else
    shown = [str(m) for m in response.context["messages"]]
    # The success message names the token by its hint (gx_ + 5 chars); the key is the long one.
    key = max((k for m in shown for k in re.findall(r"gx_[A-Za-z0-9_-]+", m)), key=len)
    assert len(key) > 20
    assert ApiToken.hash_key(key) == token.key_hash
    page = client.get(reverse("admin:core_apitoken_change", args=(token.pk,)))
    assert key not in page.content.decode()


def test_users_see_only_their_own_tokens(client, cast):
    from guanxi.core.services import api_token_create

    mine, _ = api_token_create(user=cast.alice, name="mine")
    theirs, _ = api_token_create(user=cast.charlie, name="theirs")
    client.force_login(cast.alice)
    listed = client.get(reverse("admin:core_apitoken_changelist")).context["cl"].result_list
    assert [t.pk for t in listed] == [mine.pk]
    url = reverse("admin:core_apitoken_change", args=(theirs.pk,))
    assert client.get(url).status_code == 404
    delete = reverse("admin:core_apitoken_delete", args=(theirs.pk,))
    assert client.post(delete, {"post": "yes"}).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_language_switch_to_english(client, cast):
    client.force_login(cast.alice)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"}, follow=True)
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
    assert "Dashboard" in response.content.decode()


def test_dashboard_is_titled_dashboard_not_site_administration(client, cast):
    client.force_login(cast.alice)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert str(response.context["title"]) == "工作台"
    body = response.content.decode()
    assert "站点管理" not in body and "工作台" in body


def test_contacts_breadcrumb_does_not_repeat_the_model_name():
    from django.apps import apps
    from django.utils import translation

    from guanxi.contacts.models import Contact

    with translation.override("zh-hans"):
        app_name = str(apps.get_app_config("contacts").verbose_name)
        assert app_name != str(Contact._meta.verbose_name_plural)
