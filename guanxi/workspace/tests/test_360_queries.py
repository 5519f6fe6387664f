"""The 360° page asks a fixed number of queries, whatever the number of contacts,
transactions, tasks, deals, cases … of the account (issue 16), for its KAM and a director."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.workspace.tests.busy_account import busy_account, grow

#: The page's queries at most (session and user, the sidebar's, the account with its figures,
#: one grouped read per card).
MAX_QUERIES = 50


def _queries(client, account) -> int:
    url = reverse("admin:accounts_account_view_360", args=(account.pk,))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert b'data-card="relationships"' in response.content
    return len(captured)


@pytest.mark.parametrize("who", ["alice", "mia"])
def test_the_360_page_asks_a_bounded_number_of_queries(client, cast, who,
                                                       django_assert_max_num_queries):  # fmt: skip
    account = busy_account(cast, n=3)
    client.force_login(getattr(cast, who))
    client.get(reverse("admin:accounts_account_view_360", args=(account.pk,)))  # warm-up
    before = _queries(client, account)
    grow(cast, account, 4)
    with django_assert_max_num_queries(MAX_QUERIES):
        after = _queries(client, account)
    assert after == before, "the page's queries grew with the account's rows"

