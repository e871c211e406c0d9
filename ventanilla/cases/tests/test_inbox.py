"""The inbox selectors: tenancy, every filter, search, counts, order and a pinned query count."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ventanilla.accounts.models import Role
from ventanilla.accounts.tests.factories import CitizenFactory, PlatformAdminFactory
from ventanilla.cases.selectors.inbox import (
    InboxFilters,
    case_for_official,
    cases_for_official,
    inbox_page,
    inbox_status_counts,
    status_labels,
)
from ventanilla.cases.tests.factories import case_made, officer, service_published

pytestmark = pytest.mark.django_db


def _refs(user, **filters):
    return [c.reference for c in cases_for_official(user=user, filters=InboxFilters(**filters))]


def test_an_official_never_sees_another_institutions_cases():
    mine = service_published(prefix="MTC")
    theirs = service_published(prefix="MML")
    me = officer(mine.institution)
    own = case_made(service=mine)
    other = case_made(service=theirs)
    assert _refs(me, state="all") == [own.reference]
    assert case_for_official(user=me, reference=other.reference) is None
    assert case_for_official(user=me, reference=own.reference) == own
    # Asking for the other institution explicitly gives nothing either.
    assert _refs(me, institution=theirs.institution_id) == []
    assert inbox_status_counts(user=me, filters=InboxFilters(state="all")) == {"recibido": 1}


def test_roles_without_case_handling_and_citizens_see_no_cases():
    service = service_published()
    case_made(service=service)
    assert _refs(officer(service.institution, Role.EDITOR), state="all") == []
    assert _refs(CitizenFactory(), state="all") == []


def test_platform_admins_see_every_institution():
    case_made(service=service_published())
    case_made(service=service_published())
    assert len(_refs(PlatformAdminFactory(), state="all")) == 2


def test_filters_by_service_status_state_and_assignee():
    service = service_published()
    other_service = service_published(institution=service.institution, prefix="OTR")
    me = officer(service.institution)
    colleague = officer(service.institution)
    a = case_made(service=service, assignee=me)
    b = case_made(service=service, status="en_revision", assignee=colleague)
    c = case_made(service=other_service)
    d = case_made(service=service, status="aprobado", ended=True)
    assert sorted(_refs(me, service=service.pk)) == sorted([a.reference, b.reference])
    assert _refs(me, status="en_revision") == [b.reference]
    assert _refs(me, state="ended") == [d.reference]
    assert sorted(_refs(me, state="all")) == sorted(x.reference for x in (a, b, c, d))
    assert _refs(me, assignee="me") == [a.reference]
    assert _refs(me, assignee="none") == [c.reference]
    assert _refs(me, assignee=str(colleague.pk)) == [b.reference]


def test_overdue_and_submitted_dates_filter():
    service = service_published()
    me = officer(service.institution)
    late = case_made(service=service, due_in=-2, days_ago=20)
    fresh = case_made(service=service, due_in=5)
    assert _refs(me, overdue=True) == [late.reference]
    today = timezone.localdate()
    assert _refs(me, submitted_from=today) == [fresh.reference]
    assert _refs(me, submitted_to=today - timedelta(days=10)) == [late.reference]


def test_search_by_dni_full_reference_or_its_number():
    service = service_published(prefix="MTC")
    me = officer(service.institution)
    target = case_made(service=service, document="12345678")
    case_made(service=service, document="87654321")
    assert _refs(me, q="12345678") == [target.reference]
    assert _refs(me, q=target.reference.lower()) == [target.reference]
    number = str(int(target.reference.rsplit("-", 1)[1]))
    assert _refs(me, q=number) == [target.reference]
    assert _refs(me, q="99999999") == []


def test_order_due_first_puts_the_soonest_deadline_first_and_newest_the_latest_submission():
    service = service_published()
    me = officer(service.institution)
    later = case_made(service=service, due_in=9, days_ago=1)
    sooner = case_made(service=service, due_in=1, days_ago=5)
    none = case_made(service=service, due_in=None, days_ago=0)
    assert _refs(me) == [sooner.reference, later.reference, none.reference]
    assert _refs(me, order="newest") == [none.reference, later.reference, sooner.reference]


def test_status_counts_ignore_the_status_filter_but_keep_the_others():
    service = service_published()
    me = officer(service.institution)
    case_made(service=service)
    case_made(service=service)
    case_made(service=service, status="en_revision", assignee=me)
    counts = inbox_status_counts(user=me, filters=InboxFilters(status="en_revision"))
    assert counts == {"recibido": 2, "en_revision": 1}
    mine = inbox_status_counts(user=me, filters=InboxFilters(assignee="me"))
    assert mine == {"en_revision": 1}


def test_the_inbox_page_costs_the_same_few_queries_for_5_or_40_cases(django_assert_num_queries):
    service = service_published()
    me = officer(service.institution)

    def one_page():
        me.__dict__.pop("_ventanilla_institution_roles", None)
        cases = cases_for_official(user=me, filters=InboxFilters())
        page_of = inbox_page(cases=cases, page="1")
        rows = list(page_of.page.object_list)
        status_labels(versions={c.service_version_id for c in rows})
        inbox_status_counts(user=me, filters=InboxFilters())
        for case in rows:  # what the template reads
            _ = (case.service.name, case.assignee)
        return rows

    for _n in range(5):
        case_made(service=service, assignee=me)
    # roles, count, page, labels, counts
    with django_assert_num_queries(5):
        assert len(one_page()) == 5
    for _n in range(35):
        case_made(service=service)
    with django_assert_num_queries(5):
        assert len(one_page()) == 25


def test_a_page_past_the_end_gives_the_last_page():
    service = service_published()
    me = officer(service.institution)
    for _n in range(3):
        case_made(service=service)
    page_of = inbox_page(cases=cases_for_official(user=me), page="99")
    assert page_of.requested_out_of_range
    assert page_of.page.number == 1
    assert inbox_page(cases=cases_for_official(user=me), page="x").page.number == 1
