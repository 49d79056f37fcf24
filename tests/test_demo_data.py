"""The synthetic corpus for speed work: published, anchored, and removable without touching real data."""

import pytest
from django.core.management import call_command

from timeline.models import Citation, Source, Statement


@pytest.fixture
def demo(seeded):
    call_command("generate_demo_data", "--statements", "120", verbosity=0)


def test_demo_statements_are_published_dated_and_anchored_exactly(demo):
    demo_statements = Statement.objects.filter(seed_key__startswith="demo-")
    assert demo_statements.count() == 120
    assert set(demo_statements.values_list("status", flat=True)) == {"published"}
    for statement in demo_statements.prefetch_related("citations__source")[:20]:
        assert statement.date_end >= statement.date
        citation = statement.citations.get()
        assert citation.source.original_text[citation.start : citation.end] == citation.passage


def test_demo_data_goes_into_the_chronology_with_constant_queries(demo, client, django_assert_max_num_queries):
    """Guards against N+1 queries at scale: a page of the large corpus needs no more queries than a small one."""
    with django_assert_max_num_queries(12):
        response = client.get("/?q=summit")
    assert response.status_code == 200


def test_removing_demo_data_leaves_the_real_data_as_it_was(demo):
    call_command("generate_demo_data", "--remove", verbosity=0)
    assert not Statement.objects.filter(seed_key__startswith="demo-").exists()
    assert not Source.objects.filter(slug="demo-corpus").exists()
    assert Statement.objects.count() == 36
    assert Citation.objects.count() == 36
