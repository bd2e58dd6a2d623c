"""The shared contracts: names, UTC time, clock, write contract, history, outbox, tenancy, migrations."""
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import DatabaseError

from kundoluk import clock, events, names, tenancy, writes
from kundoluk.extensions import db
from kundoluk.models import AuditLog, ChangeHistory, NotificationEvent, Person, SchoolClass, Subject
from tests import factories


def test_kyrgyz_alphabet_order():
    words = ["Үмөт", "Уулу", "Өмүр", "Орозбек", "Ңа", "Нурлан", "Фарида", "Ёлкин", "Есен", "Ким", "Adam"]
    ordered = sorted(words, key=names.sort_key)
    # ё sorts as е; ң after н, ө after о, ү after у; Latin after Cyrillic
    assert ordered == ["Ёлкин", "Есен", "Ким", "Нурлан", "Ңа", "Орозбек", "Өмүр", "Уулу", "Үмөт", "Фарида", "Adam"]


def test_names_without_surname_sort_and_print_by_fathers_name():
    assert names.display_name(None, "Асель", "Камалидин кызы") == "Камалидин кызы Асель"
    assert names.display_name("Асанов", "Бакыт", "Жумабекович") == "Асанов Бакыт Жумабекович"
    assert names.display_name("Ким", "Алина", None) == "Ким Алина"
    assert names.search_key("  ЁЛКИН   Сыдыков ") == "елкин сыдыков"


def test_person_keys_are_stored_and_searchable(session):
    person = factories.make_person("Алёна", None, "Нурлан кызы")
    found = session.execute(sa.select(Person).where(Person.search_key.like("%алена%"))).scalars().all()
    assert person in found
    assert person.family_name is None


def test_timestamps_are_aware_utc_on_both_databases(session):
    person = factories.make_person()
    session.expire(person)
    assert person.created_at.tzinfo is not None
    assert person.created_at.utcoffset() == timedelta(0)
    assert person.created_at == clock.now_utc()


def test_naive_datetimes_are_refused(session):
    person = factories.make_person()
    person.created_at = datetime(2026, 1, 1, 12, 0)
    with pytest.raises(Exception):
        session.flush()
    session.rollback()


def test_clock_follows_bishkek_dates(fixed_clock):
    clock.set_now(datetime(2026, 7, 18, 19, 30, tzinfo=timezone.utc))  # 01:30 on Sunday in Bishkek
    assert clock.today() == date(2026, 7, 19)
    assert clock.today().isoweekday() == 7
    assert clock.local_midnight_utc(date(2026, 7, 19)) == datetime(2026, 7, 18, 18, 0, tzinfo=timezone.utc)


def test_kundoluk_today_pins_the_date(monkeypatch, fixed_clock):
    clock.set_now(None)
    monkeypatch.setenv("KUNDOLUK_TODAY", "2027-02-03")
    assert clock.today() == date(2027, 2, 3)


def test_append_only_tables_refuse_update_and_delete(session):
    row = AuditLog(action="test", detail={})
    session.add(row)
    session.flush()
    for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        nested = session.begin_nested()
        with pytest.raises(DatabaseError):
            session.execute(sa.text(statement))
        nested.rollback()
    assert session.execute(sa.select(AuditLog.action).where(AuditLog.id == row.id)).scalar() == "test"


def _subject(world):
    return factories.make_subject(world.school, "Тарых")


def test_write_contract_updates_and_records_history(session, world):
    subject = _subject(world)
    cid = str(uuid.uuid4())
    result = writes.save(Subject, row=subject, values={"name_ru": "История"}, school_id=world.school.id,
                         client_id=cid, base_version=1, actor=world.accounts["deputy"])
    session.flush()
    assert result.ok and subject.version == 2 and subject.name_ru == "История"
    history = session.execute(sa.select(ChangeHistory).where(ChangeHistory.row_id == subject.id,
                                                             ChangeHistory.table_name == "subject")).scalar_one()
    assert history.old == {"name_ru": "Тарых"} and history.new == {"name_ru": "История"}
    assert history.client_id == cid


def test_write_contract_is_idempotent_on_client_id(session, world):
    subject = _subject(world)
    cid = str(uuid.uuid4())
    for _ in range(3):
        result = writes.save(Subject, row=subject, values={"name_ru": "История"}, school_id=world.school.id,
                             client_id=cid, base_version=1)
        session.flush()
    assert result.replayed and subject.version == 2
    assert session.execute(sa.select(sa.func.count(ChangeHistory.id)).where(
        ChangeHistory.row_id == subject.id, ChangeHistory.table_name == "subject")).scalar() == 1


def test_replayed_client_id_with_other_content_is_a_mismatch(session, world):
    subject = _subject(world)
    cid = str(uuid.uuid4())
    writes.save(Subject, row=subject, values={"name_ru": "История"}, school_id=world.school.id,
                client_id=cid, base_version=1)
    result = writes.save(Subject, row=subject, values={"name_ru": "Другое"}, school_id=world.school.id,
                         client_id=cid, base_version=2)
    assert result.mismatch and not result.ok and subject.name_ru == "История"


def test_stale_base_version_is_a_conflict_and_changes_nothing(session, world):
    subject = _subject(world)
    writes.save(Subject, row=subject, values={"name_ru": "История"}, school_id=world.school.id,
                client_id=str(uuid.uuid4()), base_version=1)
    result = writes.save(Subject, row=subject, values={"name_ru": "Поздно"}, school_id=world.school.id,
                         client_id=str(uuid.uuid4()), base_version=1)
    assert result.conflict and result.base_version == 1 and result.row.version == 2
    assert subject.name_ru == "История"


def test_write_contract_creates_rows(session, world):
    result = writes.save(Subject, values={"name_ky": "Химия", "name_ru": "Химия", "code": "CHEM"},
                         school_id=world.school.id, client_id=str(uuid.uuid4()))
    assert result.ok and result.row.id and result.row.version == 1


def test_bad_client_id_is_refused(session, world):
    with pytest.raises(writes.BadClientId):
        writes.save(Subject, values={"name_ky": "Х", "name_ru": "Х"}, school_id=world.school.id, client_id="12")


def test_concurrent_update_loses_with_a_conflict(app, session, world):
    """Two writers saw version 1; the database lets only one of them win."""
    subject = _subject(world)
    session.execute(sa.update(Subject).where(Subject.id == subject.id).values(version=2, name_ru="Чужое"))
    result = writes.save(Subject, row=subject, values={"name_ru": "Моё"}, school_id=world.school.id,
                         client_id=str(uuid.uuid4()), base_version=1)
    assert result.conflict
    assert subject.name_ru == "Чужое"


def test_emit_is_part_of_the_callers_transaction(session, world):
    nested = session.begin_nested()
    events.emit("mark", school_id=world.school.id, pupil_id=world.pupil.id, obj=world.school_class)
    session.flush()
    assert session.execute(sa.select(sa.func.count(NotificationEvent.id))).scalar() == 1
    nested.rollback()
    assert session.execute(sa.select(sa.func.count(NotificationEvent.id))).scalar() == 0


def test_emit_refuses_unknown_kinds(session, world):
    with pytest.raises(ValueError):
        events.emit("gossip", school_id=world.school.id)


def test_tenancy_hides_other_schools_rows(app, session, world):
    with app.test_request_context("/"):
        tenancy.set_schools({world.school.id})
        ids = set(db.session.execute(sa.select(SchoolClass.id)).scalars())
        assert world.school_class.id in ids and world.other_class.id not in ids
        tenancy.set_schools(())
        assert db.session.execute(sa.select(SchoolClass.id)).first() is None  # default deny
        everything = db.session.execute(sa.select(SchoolClass.id), execution_options={"all_schools": True})
        assert world.other_class.id in set(everything.scalars())


def test_models_and_migrations_agree(session):
    context = MigrationContext.configure(session.connection(), opts={"compare_type": True})
    diff = compare_metadata(context, db.metadata)
    assert diff == []
