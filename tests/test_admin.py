"""The admin: staff find every model with list columns, search and filters."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from timeline.models import Citation, Event, Source, Speaker, Statement, Topic

MODELS = [Speaker, Topic, Event, Source, Statement, Citation]


@pytest.fixture
def staff_client(client, admin_user):
    call_command("load_seeds", verbosity=0)
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_model_has_a_working_changelist_and_change_form(staff_client, model):
    changelist = staff_client.get(reverse(f"admin:timeline_{model._meta.model_name}_changelist"))
    assert changelist.status_code == 200
    obj = model.objects.first()
    change = staff_client.get(reverse(f"admin:timeline_{model._meta.model_name}_change", args=[obj.pk]))
    assert change.status_code == 200


@pytest.mark.django_db
def test_statement_changelist_searches_the_words_and_filters_by_side(staff_client):
    url = reverse("admin:timeline_statement_changelist")
    response = staff_client.get(url, {"q": "inexpedient"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    response = staff_client.get(url, {"speaker__side__exact": "us"})
    assert {s.speaker.side for s in response.context["cl"].result_list} == {"us"}


@pytest.mark.django_db
def test_statement_changelist_queries_do_not_grow_with_rows(staff_client):
    """Guards against N+1 queries on the statement list (speaker and event are joined)."""
    url = reverse("admin:timeline_statement_changelist")
    with CaptureQueriesContext(connection) as before:
        staff_client.get(url)
    template = Statement.objects.select_related("event").first()
    for number in range(30):
        Statement.objects.create(
            speaker=template.speaker, event=template.event, date=template.date, text=f"words {number}", summary="s"
        )
    with CaptureQueriesContext(connection) as after:
        staff_client.get(url)
    assert Statement.objects.count() > 60
    assert len(after) == len(before)


@pytest.mark.django_db
def test_admin_needs_a_login(client):
    response = client.get(reverse("admin:timeline_statement_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
