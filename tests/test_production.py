"""Production refuses to start without its secrets, or on a database with demo accounts."""
import pytest

from kundoluk import create_app
from kundoluk.production import NotReady
from tests import factories


def test_production_needs_its_secrets(monkeypatch, database_url):
    for name in ("KUNDOLUK_SECRET_KEY", "KUNDOLUK_REDIS_URL", "KUNDOLUK_PIN_KEY", "KUNDOLUK_ENV"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(NotReady) as err:
        create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    assert "KUNDOLUK_SECRET_KEY" in str(err.value) and "KUNDOLUK_REDIS_URL" in str(err.value)


def test_production_refuses_a_database_with_demo_accounts(session):
    from kundoluk import production
    person = factories.make_person()
    account = factories.make_account(person, login="someone")
    production.refuse_demo(session.connection())  # an ordinary account is fine
    account.is_demo = True
    session.flush()
    with pytest.raises(NotReady):
        production.refuse_demo(session.connection())
