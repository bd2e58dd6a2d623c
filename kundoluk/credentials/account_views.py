"""A parent adds a child with the school's one-time code; the deputy's audit list."""
from flask import abort, current_app, redirect, request, url_for
from flask_babel import format_datetime, gettext as _
from flask_login import current_user

from kundoluk.credentials import actions, bp, forms, queries
from kundoluk.extensions import db, limiter
from kundoluk.web.access import ACCOUNT, DESK_ADMIN, policy
from kundoluk.web.htmx import render

REFUSALS = {
    "invalid": lambda: _("There is no such code. Check the letters and digits, or ask the class teacher for a new code."),
    "used": lambda: _("This code has been used already. Ask the class teacher for a new one."),
    "expired": lambda: _("This code has expired. Ask the class teacher for a new one."),
}


def _code_key():
    return f"link-code:{current_user.account.id}"


def _code_failed(resp):
    return resp.status_code == 422  # only wrong codes count against the limit


def _page(form, status=200, outcome=None):
    """The add-a-child page, listing the children this account sees now (any school)."""
    child_ids = set().union(*(c.child_ids for c in current_user.contexts if c.kind == "parent"))
    return render("credentials/add_child.html", form=form, outcome=outcome, status=status,
                  children=queries.list_people(child_ids))


@bp.get("/add-child")
@policy(ACCOUNT)
def child_code():
    done = request.args.get("done")
    return _page(forms.CodeForm(), outcome=done if done in ("linked", "already") else None)


@bp.post("/add-child")
@policy(ACCOUNT)
@limiter.limit(lambda: current_app.config.get("LINK_CODE_LIMIT", "5 per 15 minutes"),
               key_func=_code_key, deduct_when=_code_failed)
def child_code_post():
    form = forms.CodeForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    outcome = actions.redeem_link_code(current_user.account, form.code.data)
    db.session.commit()
    if outcome in REFUSALS:
        form.code.errors.append(REFUSALS[outcome]())
        return _page(form, 422)
    return redirect(url_for(".child_code", done=outcome), 303)


@bp.get("/audit")
@policy(DESK_ADMIN)
def audit():
    before = request.args.get("before", type=int)
    if before is not None and before < 1:
        abort(404)
    rows = queries.list_audit(current_user.context.school_id, before)
    more = len(rows) > queries.AUDIT_PAGE
    rows = rows[:queries.AUDIT_PAGE]
    labels = audit_labels()
    shown = [{"id": row.id, "action": row.action, "what": labels.get(row.action, row.action),
              "when": format_datetime(row.created_at, "short"), "actor": actor, "subject": subject,
              "school": school} for row, actor, subject, school in rows]
    return render("credentials/audit.html", rows=shown,
                  next_before=rows[-1][0].id if more and rows else None)


def audit_labels():
    return {
        "credentials_issued": _("login and first password issued"),
        "credentials_reissued": _("new first password issued"),
        "parent_linked": _("parent linked"),
        "parent_unlinked": _("parent unlinked"),
        "link_code_made": _("code for a parent made"),
        "link_code_used": _("code for a parent used"),
        "person_imported": _("imported from a spreadsheet"),
        "import_applied": _("spreadsheet imported"),
        "first_sign_in": _("first sign-in"),
        "password_changed": _("password changed"),
        "signed_out_everywhere": _("signed out everywhere"),
        "record_downloaded": _("the child's whole record downloaded by a parent"),
    }
