from flask import abort, current_app, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from kundoluk.accounts import actions, bp, forms, identity
from kundoluk.extensions import db, limiter
from kundoluk.web.htmx import render
from kundoluk.web.access import ACCOUNT, PUBLIC, SIGNED_IN, policy, safe_next
from kundoluk.web.i18n import COOKIE, LANGUAGES


def _login_key():
    return "login:" + forms.normalize_login(request.form.get("login"))[:64]


def _login_ip_key():
    return f"login-ip:{_login_key()}:{request.remote_addr}"


def _failed(resp):
    return resp.status_code != 302  # only failed attempts count against the limits


def _limit(name):
    return lambda: current_app.config[name]


def _start_session(account, remember=False):
    """A fresh session for this account (nothing carried over from before sign-in)."""
    session.clear()
    user = identity.load_user(f"{account.id}:{account.session_version}")
    login_user(user, remember=remember)
    if user.context is not None:
        session["ctx"] = user.context.key
    return user


@bp.get("/login")
@policy(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = forms.LoginForm(next=safe_next(request.args.get("next")))
    return render("accounts/login.html", form=form)


@bp.post("/login")
@policy(PUBLIC)
@limiter.limit(_limit("LOGIN_LIMIT_PER_LOGIN"), key_func=_login_key, deduct_when=_failed)
@limiter.limit(_limit("LOGIN_LIMIT_PER_LOGIN_IP"), key_func=_login_ip_key, deduct_when=_failed)
@limiter.limit(_limit("LOGIN_LIMIT_PER_IP"), deduct_when=_failed)
def login_post():
    form = forms.LoginForm()
    if not form.validate_on_submit():
        return render("accounts/login.html", form=form), 422
    account = actions.sign_in(forms.normalize_login(form.login.data), form.password.data)
    db.session.commit()
    if account is None:
        error = _("Wrong login or password. Check the keyboard layout and Caps Lock.")
        return render("accounts/login.html", form=form, error=error), 401
    _start_session(account, remember=form.remember.data)
    return redirect(safe_next(form.next.data) or url_for("home.index"))


@bp.post("/logout")
@policy(PUBLIC)
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@bp.get("/first-sign-in")
@policy(SIGNED_IN)
def first_sign_in():
    if not current_user.needs_first_sign_in:
        return redirect(url_for("home.index"))
    form = _first_sign_in_form(language=current_user.language)
    return render("accounts/first_sign_in.html", form=form)


@bp.post("/first-sign-in")
@policy(SIGNED_IN)
def first_sign_in_post():
    account = current_user.account
    form = _first_sign_in_form()
    if not form.validate_on_submit():
        return render("accounts/first_sign_in.html", form=form), 422
    new_password = form.new_password.data if "new_password" in form else None
    actions.finish_first_sign_in(account, form.language.data, new_password)
    db.session.commit()
    _start_session(account)
    resp = redirect(url_for("home.index"))
    resp.set_cookie(COOKIE, form.language.data, max_age=365 * 86400, samesite="Lax", httponly=True)
    return resp


def _first_sign_in_form(**data):
    form = forms.FirstSignInForm(**data)
    form.login_value = current_user.account.login
    if not current_user.account.must_change_password:
        del form.new_password
        del form.confirm
    return form


@bp.get("/account")
@policy(ACCOUNT)
def account():
    return render("accounts/account.html", form=forms.PasswordForm(),
                           end_form=forms.EmptyForm())


@bp.post("/account/password")
@policy(ACCOUNT)
def password_change():
    account = current_user.account
    form = forms.PasswordForm()
    form.login_value = account.login
    if form.validate_on_submit():
        if actions.change_password(account, form.current_password.data, form.new_password.data):
            db.session.commit()
            _start_session(account)
            return render("accounts/account.html", form=forms.PasswordForm(formdata=None),
                                   end_form=forms.EmptyForm(), saved=True)
        db.session.commit()
        form.current_password.errors.append(_("The current password is wrong."))
    return render("accounts/account.html", form=form, end_form=forms.EmptyForm()), 422


@bp.post("/account/sign-out-everywhere")
@policy(ACCOUNT)
def sign_out_everywhere():
    actions.end_all_sessions(current_user.account)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("accounts.login"))


@bp.post("/language")
@policy(PUBLIC)
def language():
    form = forms.LanguageForm()
    if not form.validate_on_submit() or form.lang.data not in LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        actions.set_language(current_user.account, form.lang.data)
        db.session.commit()
    resp = make_response(redirect(safe_next(form.next.data) or url_for("home.index")))
    resp.set_cookie(COOKIE, form.lang.data, max_age=365 * 86400, samesite="Lax", httponly=True)
    return resp


@bp.post("/context")
@policy(ACCOUNT)
def context_switch():
    form = forms.ContextForm()
    keys = {ctx.key for ctx in current_user.contexts}
    if not form.validate_on_submit() or form.key.data not in keys:
        abort(404)
    session["ctx"] = form.key.data
    actions.choose_context(current_user.account, form.key.data)
    db.session.commit()
    return redirect(url_for("home.index"))
