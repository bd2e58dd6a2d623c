"""Imports: templates to download, upload, the preview with every row's problems, confirm."""
from flask import abort, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kundoluk import clock
from kundoluk.credentials import bp, forms, imports, jobs, messages, queries, spreadsheets, workbooks
from kundoluk.credentials.spreadsheets import FileProblem
from kundoluk.extensions import db
from kundoluk.models import IMPORT_KINDS, ImportBatch
from kundoluk.web import errors
from kundoluk.web.access import DESK_ADMIN, policy
from kundoluk.web.htmx import render

STATUS_FRAGMENT = {"import-status": "credentials/_import_status.html"}


def max_bytes():
    return current_app.config.get("IMPORT_MAX_BYTES", 5 * 2**20)


def _imports_page(form, error=None, status=200):
    batches = queries.list_batches(current_user.context.school_id)
    return render("credentials/imports.html", form=form, error=error, batches=batches,
                  limit_mb=max_bytes() // 2**20, messages=messages, status=status)


@bp.get("/imports")
@policy(DESK_ADMIN)
def imports_page():
    return _imports_page(forms.ImportForm(kind=request.args.get("kind", "pupils")))


@bp.get("/imports/template.xlsx")
@policy(DESK_ADMIN)
def import_template():
    kind = request.args.get("kind", "pupils")
    lang = request.args.get("lang", "ky")
    if kind not in IMPORT_KINDS or lang not in ("ky", "ru"):
        abort(404)
    resp = current_app.response_class(workbooks.template_xlsx(kind, lang),
                                      mimetype=workbooks.XLSX_TYPE)
    resp.headers["Content-Disposition"] = f'attachment; filename="{kind}-{lang}.xlsx"'
    return resp


@bp.post("/imports")
@policy(DESK_ADMIN)
def import_upload():
    form = forms.ImportForm()
    if not form.validate_on_submit():
        return _imports_page(form, status=422)
    content = form.file.data.stream.read(max_bytes() + 1)
    if len(content) > max_bytes():
        return _imports_page(form, messages.too_large(max_bytes()), status=413)
    try:
        spreadsheets.open_table(content).close()  # the file as a whole; rows are the worker's
    except FileProblem as problem:
        return _imports_page(form, messages.file_problem(problem.code, problem.params), status=422)
    batch = ImportBatch(school_id=current_user.context.school_id, kind=form.kind.data,
                        filename=(form.file.data.filename or "")[-200:], status="parsing",
                        created_by_account_id=current_user.account.id, updated_at=clock.now_utc())
    db.session.add(batch)
    imports.forget_old_rows(batch.school_id)
    db.session.flush()
    batch_id, public_id = batch.id, batch.public_id
    db.session.commit()
    jobs.start(imports.check, batch_id, content)
    return redirect(url_for(".import_batch", batch_id=public_id), 303)


@bp.get("/imports/<batch_id>")
@policy(DESK_ADMIN)
def import_batch(batch_id):
    batch = queries.get_batch_or_404(batch_id)
    return _batch_page(batch)


def _batch_page(batch, error=None, status=200):
    listed = batch.status in ("ready", "applying", "applied")
    return render("credentials/import_batch.html", fragments=STATUS_FRAGMENT, batch=batch,
                  rows=queries.list_problem_rows(batch) if listed else [],
                  progress=jobs.progress(batch.id), stale=jobs.is_stale(batch),
                  form=forms.EmptyForm(), messages=messages, error=error, status=status)


@bp.post("/imports/<batch_id>/confirm")
@policy(DESK_ADMIN)
def import_confirm(batch_id):
    batch = queries.get_batch_or_404(batch_id)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    if not imports.claim(batch, current_user.account):
        db.session.rollback()
        return _batch_page(batch, _("This import was already confirmed or is not ready."), status=409)
    ids = batch.id, batch.public_id, current_user.account.id
    db.session.commit()
    jobs.start(imports.apply, ids[0], ids[2])
    return redirect(url_for(".import_batch", batch_id=ids[1]), 303)


@bp.errorhandler(413)
def too_large(exc):
    """MAX_CONTENT_LENGTH refused the upload before any view ran: say what the limit is."""
    return errors.render_error(413, _("The file is too large"), messages.too_large(max_bytes()))
