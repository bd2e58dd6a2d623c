"""DESIGN §4: ≤ 2 statements for identity + ≤ 5 for the page, the same at 1× and 10× the data."""
import pytest

from tests import factories
from tests.conftest import login

PAGES = [("teacher", "/staff"), ("class_teacher", "/staff"),
         ("deputy", "/staff"), ("director", "/staff"), ("admin", "/staff"),
         ("class_teacher", "/classes/{class}"), ("deputy", "/classes/{class}"), ("teacher", "/account")]


def statements_for(client, count_sql, world, persona, path):
    login(client, world.accounts[persona].login)
    url = path.format(**{"class": world.school_class.public_id})
    with count_sql() as counter:
        resp = client.get(url)
    assert resp.status_code == 200, (persona, url)
    return len(counter.statements)


@pytest.mark.parametrize("persona,path", PAGES)
def test_page_statements_do_not_grow_with_data(app, session, count_sql, persona, path):
    small = factories.make_world(size=1)
    n_small = statements_for(app.test_client(), count_sql, small, persona, path)
    big = factories.make_world(size=10, prefix="big")
    n_big = statements_for(app.test_client(), count_sql, big, persona, path)
    assert n_small == n_big
    assert n_small <= 2 + 5
