"""`estimated_count`: planner statistics for big tables on PostgreSQL, an exact count otherwise."""

import pytest
from django.db import connection

from guanxi.core.models import Team
from guanxi.core.selectors import estimated_count

pytestmark = pytest.mark.django_db


def test_small_tables_are_counted_exactly():
    Team.objects.bulk_create(Team(name=f"t{i}") for i in range(3))
    assert estimated_count(Team) == Team.objects.count() >= 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics: PostgreSQL")
def test_large_tables_read_the_planner_statistics():
    Team.objects.bulk_create(Team(name=f"t{i}") for i in range(50))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_team")
    exact = Team.objects.count()
    # With the threshold at 0 every table counts as large: the figure is ANALYZE's.
    assert estimated_count(Team, exact_below=0) == exact
    Team.objects.bulk_create(Team(name=f"u{i}") for i in range(5))
    assert estimated_count(Team, exact_below=0) == exact  # not re-counted until ANALYZE
