"""Account rules: signing in, first sign-in, passwords, ending sessions, language, context."""
import sqlalchemy as sa

from kundoluk import audit, clock
from kundoluk.extensions import db
from kundoluk.models import Account
from kundoluk.passwords import check_password, hash_password


def find_account(login):
    """The account with this login (already normalized), or None."""
    return db.session.execute(sa.select(Account).where(Account.login == login)).scalar_one_or_none()


def sign_in(login, password):
    """Check a login and password; audit either way. Returns the account or None."""
    account = find_account(login)
    if account is None or not account.active or not check_password(account.password_hash, password):
        audit.record("sign_in_failed", actor=account, login=login[:64])
        return None
    account.last_sign_in_at = clock.now_utc()
    audit.record("sign_in", actor=account, subject=account.person)
    return account


def finish_first_sign_in(account, language, new_password=None):
    """Record the chosen language, the person's own password and the privacy acceptance."""
    account.person.language = language
    account.language_chosen = True
    if new_password is not None:
        account.password_hash = hash_password(new_password)
        account.must_change_password = False
        account.session_version += 1
    account.privacy_accepted_at = clock.now_utc()
    audit.record("first_sign_in", actor=account, subject=account.person, language=language,
                 password_set=new_password is not None)


def change_password(account, current, new):
    """Set a new password if the current one is right; ends every other session. Returns success."""
    if not check_password(account.password_hash, current):
        audit.record("password_change_failed", actor=account, subject=account.person)
        return False
    account.password_hash = hash_password(new)
    account.must_change_password = False
    account.session_version += 1
    audit.record("password_changed", actor=account, subject=account.person)
    return True


def end_all_sessions(account, by=None):
    """Sign the account out everywhere, remember-me cookies included."""
    account.session_version += 1
    audit.record("signed_out_everywhere", actor=by or account, subject=account.person)


def set_language(account, language):
    account.person.language = language
    audit.record("language_changed", actor=account, subject=account.person, language=language)


def choose_context(account, key):
    """Remember the role context used last, so the next sign-in lands on it."""
    account.last_context = key
