"""Rules of the credentials desk, called directly: logins, passwords, ПИН, issue, re-issue, links."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kundoluk import clock
from kundoluk.accounts import actions as account_actions
from kundoluk.credentials import actions, logins, pins
from kundoluk.models import Account, AuditLog, Guardianship, ParentLinkCode
from kundoluk.passwords import check_password
from tests import factories


@pytest.mark.parametrize("name,expected", [
    ("Үмөт", "umot"), ("Ыңгайлуу", "ynggailuu"), ("Жаңыл", "zhangyl"), ("Өмүр", "omur"), ("Жылдыз", "zhyldyz"),
    ("Чолпон", "cholpon"), ("Шамшы", "shamshy"), ("Щукин", "schukin"), ("Юлия", "yuliya"),
    ("Яна", "yana"), ("Алёна", "alyona"), ("Эрмек", "ermek"), ("Хасан", "khasan"),
    ("Цой", "tsoi"), ("Айгүл", "aigul"), ("Наталья", "natalya"), ("Подъём", "podyom"),
    ("Анна-Мария", "anna-mariya"), ("O'Brien", "obrien"), ("Kim", "kim"),
])
def test_transliteration_table(name, expected):
    assert logins.transliterate(name) == expected


def test_login_is_given_dot_family_or_fathers_name():
    assert logins.base_login("Асанова", "Айгүл", "Рысбековна") == "aigul.asanova"
    assert logins.base_login(None, "Асель", "Камалидин кызы") == "asel.kamalidin"
    assert logins.base_login(None, "Эмир", None) == "emir"
    assert logins.base_login(None, "!!", None) == "user"
    long = logins.base_login("Абдыкадыровабдыкадыров", "Абдыкадырбек", None)
    assert long == "abdykadyrbek.abdykadyrova" and long.isascii()


def test_collisions_get_a_digit():
    assert logins.allocate("emir", set()) == "emir"
    assert logins.allocate("emir", {"emir"}) == "emir2"
    assert logins.allocate("emir", {"emir", "emir2", "emir3"}) == "emir4"


def test_like_prefix_escapes_wildcards():
    assert logins.like_prefix("a_b%") == "a\\_b\\%%"


def test_first_passwords_avoid_look_alikes():
    for ch in "0Oo1lI":
        assert ch not in logins.PASSWORD_ALPHABET
    seen = {logins.new_password() for _ in range(200)}
    assert len(seen) == 200
    for password in seen:
        assert len(password) == 10 and set(password) <= set(logins.PASSWORD_ALPHABET)


@pytest.mark.parametrize("raw,clean", [
    ("20101199912345", "20101199912345"), (" 2010 1199 9123 45 ", "20101199912345"),
    (20101199912345, "20101199912345"), (20101199912345.0, "20101199912345"),
    ("2010119991234", None), ("201011999123456", None), ("2010119991234x", None),
    ("２０１０１１９９９１２３４５", None), ("", None), (None, None),
])
def test_pin_is_exactly_14_digits(raw, clean):
    assert pins.clean_pin(raw) == clean


def test_pin_is_kept_as_keyed_hash_and_last_four(app, session):
    person = factories.make_person()
    pins.set_pin(person, "20101199912345")
    assert person.pin_last4 == "2345"
    assert len(person.pin_hash) == 64 and "20101199912345" not in person.pin_hash
    assert person.pin_hash == pins.pin_hash("20101199912345")
    # keyed: another key gives another hash, and the plain SHA-256 is not it
    import hashlib
    assert person.pin_hash != hashlib.sha256(b"20101199912345").hexdigest()
    app.config["PIN_HASH_KEY"], saved = "another-key", app.config["PIN_HASH_KEY"]
    try:
        assert pins.pin_hash("20101199912345") != person.pin_hash
    finally:
        app.config["PIN_HASH_KEY"] = saved


def test_issue_gives_unique_logins_and_stores_only_the_hash(session, world):
    twins = [factories.make_pupil(world.school_class, "Эмир", None, "Нурлан уулу") for _ in range(3)]
    factories.make_account(factories.make_person("Эмир", None, "Нурлан уулу"), login="emir.nurlan")
    issued = actions.issue_accounts(twins, world.accounts["class_teacher"], world.school.id)
    assert [i.account.login for i in issued] == ["emir.nurlan2", "emir.nurlan3", "emir.nurlan4"]
    for entry in issued:
        assert entry.account.password_hash != entry.password
        assert check_password(entry.account.password_hash, entry.password)
        assert entry.account.must_change_password and entry.account.status == "issued"
    # already issued: nobody is issued twice
    assert actions.issue_accounts(twins, world.accounts["class_teacher"], world.school.id) == []
    rows = session.execute(sa.select(AuditLog).where(AuditLog.action == "credentials_issued")).scalars().all()
    assert len(rows) == 3 and all(r.school_id == world.school.id for r in rows)
    assert all(entry.password not in str(r.detail) for r in rows for entry in issued)


def test_login_collision_is_checked_across_schools(session, world):
    factories.make_account(world.other_pupil, login="asel.kamalidin")
    fresh = factories.make_pupil(world.school_class, "Асель", None, "Камалидин кызы")
    [entry] = actions.issue_accounts([fresh], None, world.school.id)
    assert entry.account.login == "asel.kamalidin2"


def test_reissue_changes_password_ends_sessions_keeps_privacy(session, world):
    account = world.accounts["parent"]
    accepted, version = account.privacy_accepted_at, account.session_version
    entry = actions.reissue(world.parent, world.accounts["class_teacher"], world.school.id)
    assert not check_password(account.password_hash, "secret")
    assert check_password(account.password_hash, entry.password)
    assert account.session_version == version + 1
    assert account.must_change_password is True
    assert account.privacy_accepted_at == accepted
    assert account.login == "parent"


def test_demo_issue_skips_first_sign_in(session, world):
    person = factories.make_person("Демо", "Демо")
    [entry] = actions.issue_accounts([person], password="demo", demo=True, fixed_logins={person.id: "demo1"})
    assert entry.password is None  # a demo slip never shows it
    account = entry.account
    assert account.login == "demo1" and account.is_demo and account.status == "active"
    assert check_password(account.password_hash, "demo")


def test_link_code_is_single_use_and_hashed(session, world):
    code = actions.make_link_code(world.pupil, world.accounts["class_teacher"], world.school.id)
    assert len(code) == 9 and code[4] == "-"
    stored = session.execute(sa.select(ParentLinkCode)).scalar_one()
    assert code.replace("-", "") not in stored.code_hash
    teacher = world.accounts["teacher2"]
    assert actions.redeem_link_code(teacher, code.lower().replace("-", " ")) == "linked"
    assert actions.redeem_link_code(teacher, code) == "used"
    links = session.execute(sa.select(Guardianship).where(Guardianship.parent_id == world.teacher2.id)).scalars().all()
    assert [link.pupil_id for link in links] == [world.pupil.id]


def test_link_code_accepts_cyrillic_look_alikes(session, world):
    code = actions.make_link_code(world.pupil, None, world.school.id)
    typed = code.translate(str.maketrans("ABEKMHPCTXY", "АВЕКМНРСТХУ"))
    assert actions.redeem_link_code(world.accounts["teacher2"], typed) == "linked"


def test_link_code_expires(session, world, fixed_clock):
    code = actions.make_link_code(world.pupil, None, world.school.id)
    clock.set_now(clock.now_utc() + timedelta(days=actions.CODE_DAYS, seconds=1))
    assert actions.redeem_link_code(world.accounts["teacher2"], code) == "expired"


def test_link_code_of_an_already_linked_parent_changes_nothing(session, world):
    code = actions.make_link_code(world.pupil, None, world.school.id)
    assert actions.redeem_link_code(world.accounts["parent"], code) == "already"
    assert actions.redeem_link_code(world.accounts["parent"], "ZZZZ-ZZZZ") == "invalid"
    assert actions.redeem_link_code(world.accounts["parent"], "short") == "invalid"


def test_pupil_cannot_link_to_themself(session, world):
    code = actions.make_link_code(world.pupil, None, world.school.id)
    assert actions.redeem_link_code(world.accounts["pupil"], code) == "invalid"


def test_unlink_ends_the_link_yesterday(session, world):
    link = session.execute(sa.select(Guardianship).where(Guardianship.parent_id == world.parent.id,
                                                         Guardianship.pupil_id == world.pupil.id)).scalar_one()
    actions.unlink_parent(link, world.accounts["class_teacher"], world.school.id)
    assert link.valid_to == clock.today() - timedelta(days=1)
    row = session.execute(sa.select(AuditLog).where(AuditLog.action == "parent_unlinked")).scalar_one()
    assert row.subject_person_id == world.pupil.id and row.detail["parent"] == world.parent.public_id


def test_first_sign_in_after_issue_asks_for_a_new_password(session, world):
    fresh = factories.make_pupil(world.school_class, "Нурай")
    [entry] = actions.issue_accounts([fresh], None, world.school.id)
    assert account_actions.sign_in(entry.account.login, entry.password) is entry.account
    assert entry.account.must_change_password
    # the stored account row never holds the first password in any column
    row = session.execute(sa.select(Account.__table__).where(Account.id == entry.account.id)).one()
    assert all(entry.password not in str(value) for value in row)


def test_demo_generator_issues_through_the_desks_function(session, monkeypatch):
    from kundoluk.demo import seed
    calls = []
    original = actions.issue_accounts
    monkeypatch.setattr(actions, "issue_accounts", lambda *a, **kw: calls.append(kw) or original(*a, **kw))
    person = factories.make_person("Демо", "Ата")
    [account] = seed._accounts({"demoparent": person})
    assert calls and calls[0]["password"] == "demo" and calls[0]["demo"] is True
    assert account.login == "demoparent" and account.status == "active" and account.is_demo
    assert check_password(account.password_hash, "demo")
