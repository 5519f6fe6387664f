"""The merge page's other ways out: "not a duplicate" (remembered, as the queue's), "link as
subsidiary" only for a group and its company, and the duplicates a merge resolves by name."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.accounts.models import Account, Tag
from guanxi.activities.models import Task, TaskSource
from guanxi.duplicates.finder import candidates_find
from guanxi.duplicates.models import Candidate, Kind, Status
from guanxi.duplicates.selectors import review_queue
from guanxi.merging.models import Merge
from tests.support import PASSWORD, make_account

pytestmark = pytest.mark.django_db


def _browser(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def _url(keep: Account, other: Account) -> str:
    return reverse("merge_accounts", kwargs={"keep": keep.pk, "other": other.pk})


@pytest.fixture
def twins(cast):
    return (make_account(owner=cast.alice, name="华彩医药有限公司"),
            make_account(owner=cast.alice, name="上海华彩医药有限公司"))  # fmt: skip


def test_not_a_duplicate_from_the_merge_page_is_remembered(cast, twins):
    keep, other = twins
    mia = _browser("mia")
    page = mia.get(_url(keep, other)).content.decode()
    assert 'data-action="dismiss"' in page
    assert 'data-action="link"' not in page  # one company typed twice: no group here
    done = mia.post(_url(keep, other), {"action": "dismiss"})
    assert done.status_code == 302
    assert done.url.startswith(reverse("admin:duplicates_candidate_queue"))
    pair = Candidate.objects.get()
    assert (pair.kind, pair.account_a_id, pair.account_b_id) == (Kind.ACCOUNT, keep.pk, other.pk)
    assert (pair.status, pair.decided_by) == (Status.DISMISSED, cast.mia)
    candidates_find()  # the nightly job does not bring it back
    assert list(review_queue()) == []
    assert Candidate.objects.get().status == Status.DISMISSED
    assert Account.objects.filter(pk__in=(keep.pk, other.pk)).count() == 2
    assert not Merge.objects.exists()


def test_a_team_lead_dismisses_a_queued_pair_and_returns_to_the_account(cast, twins):
    candidates_find()
    queued = Candidate.objects.get()
    keep, other = twins
    done = _browser("lena").post(_url(other, keep), {"action": "dismiss"})
    assert done.url == reverse("admin:accounts_account_view_360", args=(other.pk,))
    queued.refresh_from_db()
    assert (queued.status, queued.decided_by) == (Status.DISMISSED, cast.lena)


def test_link_as_subsidiary_is_offered_for_a_group_whichever_side_it_is_on(cast):
    group = make_account(owner=cast.alice, name="华彩医药集团股份有限公司")
    member = make_account(owner=cast.alice, name="华彩医药（青岛）有限公司")
    mia = _browser("mia")
    page = mia.get(_url(member, group)).content.decode()
    assert f'data-action="link" data-group="{group.pk}"' in page
    assert mia.post(_url(member, group), {"action": "link"}).status_code == 302
    member.refresh_from_db()
    group.refresh_from_db()
    assert (member.parent_id, group.parent_id) == (group.pk, None)


def test_link_is_refused_for_a_pair_that_is_no_group(cast, twins):
    keep, other = twins
    response = _browser("mia").post(_url(keep, other), {"action": "link"})
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.parent_id is None


def test_the_duplicates_a_merge_resolves_are_named_not_numbered(cast, twins):
    keep, other = twins
    tag = Tag.objects.create(name="重点会展客户")
    for account, title in ((keep, "季度拜访（保留）"), (other, "季度拜访（并入）")):
        account.tags.add(tag)
        Task.objects.create(account=account, assignee=cast.alice, kind="call", title=title,
                            due_date=dt.date(2026, 7, 1), source=TaskSource.POLICY,
                            key="call")  # fmt: skip
    mia = _browser("mia")
    page = mia.get(_url(keep, other)).content.decode()
    clashes = re.findall(r'<li data-clash="([^"]+)">(.*?)</li>', page, re.S)
    by_model = dict(clashes)
    assert {"activities.task", "accounts.account_tags"} <= set(by_model)
    assert not [text for text in by_model.values() if re.search(r"#\d", text)]
    task = by_model["activities.task"]
    assert "季度拜访（并入）" in task and "季度拜访（保留）" in task
    assert not re.search(r"#\d", task) and "key" not in task
    kept = Task.objects.get(title="季度拜访（保留）")
    assert reverse("admin:activities_task_change", args=(kept.pk,)) in task
    assert "重点会展客户" in by_model["accounts.account_tags"]
    assert "the same tag" in by_model["accounts.account_tags"]
    done = mia.post(_url(keep, other), {"action": "merge"})
    record = mia.get(done.url).content.decode()
    assert "季度拜访（并入）" in record and not re.search(r"data-clash[^<]*>[^<]*#\d", record)
