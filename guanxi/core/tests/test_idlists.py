"""`ids_in`: the rows of ``field__in=ids``, with the ids as one array parameter on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core.idlists import ids_in
from guanxi.core.models import Team, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams():
    east, west, north = (Team.objects.create(name=n) for n in ("East", "West", "North"))
    for i, team in enumerate((east, east, west, north, None)):
        User.objects.create_user(username=f"u{i}", password="x", team=team)
    return east, west, north


def _names(qs):
    return sorted(qs.values_list("username", flat=True))


def test_the_same_rows_as_in(teams):
    east, west, _north = teams
    ids = [east.pk, west.pk]
    assert _names(User.objects.filter(ids_in("team_id", ids))) == ["u0", "u1", "u2"]
    assert _names(User.objects.filter(ids_in("team_id", ids))) == _names(
        User.objects.filter(team_id__in=ids)
    )
    # Through a join, and with ids given twice or as any iterable.
    assert _names(User.objects.filter(ids_in("team__id", iter([west.pk, west.pk])))) == ["u2"]
    # Excluded (a column without NULLs: NOT of a NULL comparison is no row, as in SQL).
    some = list(User.objects.filter(username__in=["u0", "u4"]).values_list("pk", flat=True))
    assert _names(User.objects.exclude(ids_in("id", some))) == _names(
        User.objects.exclude(id__in=some)
    )


def test_no_id_matches_no_row(teams):
    assert not User.objects.filter(ids_in("team_id", [])).exists()
    assert User.objects.exclude(ids_in("team_id", [])).count() == User.objects.count()


def test_one_parameter_on_postgresql(teams):
    ids = list(range(1, 3001))  # a large book: 3,000 ids
    with CaptureQueriesContext(connection) as queries:
        assert _names(User.objects.filter(ids_in("team_id", ids))) == _names(
            User.objects.filter(team_id__in=ids)
        )
    sql = queries.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and "IN (" not in sql
    else:
        assert "IN (" in sql
