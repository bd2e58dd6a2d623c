from flask import current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kundoluk.extensions import db
from kundoluk.push import actions, bp, forms, queries
from kundoluk.web import nav
from kundoluk.web.access import ACCOUNT, PARENT, PUPIL, Rule, policy
from kundoluk.web.htmx import render

nav.register("push.settings", _l("Notifications"),
             Rule("family", lambda user: PARENT.test(user) or PUPIL.test(user)), order=80)


def _device_forms(devices):
    return [(d, forms.DeviceForm(obj=d, prefix=d.public_id, formdata=None)) for d in devices]


@bp.get("")
@policy(ACCOUNT)
def settings():
    devices = queries.list_devices(current_user.account.id)
    return render("push/settings.html", devices=_device_forms(devices),
                  vapid_key=current_app.config["VAPID_PUBLIC_KEY"], remove_form=forms.EmptyForm())


@bp.post("/subscribe")
@policy(ACCOUNT)
def subscribe():
    try:
        actions.subscribe(current_user.account, request.get_json(silent=True),
                          request.user_agent.string)
    except actions.BadSubscription as err:
        return jsonify(error=str(err)), 422
    db.session.commit()
    return "", 204


@bp.post("/<public_id>")
@policy(ACCOUNT)
def device_save(public_id):
    sub = queries.get_device_or_404(current_user.account.id, public_id)
    form = forms.DeviceForm(prefix=sub.public_id)
    if not form.validate_on_submit():
        devices = [(d, form if d.id == sub.id else forms.DeviceForm(obj=d, prefix=d.public_id, formdata=None))
                   for d in queries.list_devices(current_user.account.id)]
        return render("push/settings.html", devices=devices, vapid_key=current_app.config["VAPID_PUBLIC_KEY"],
                      remove_form=forms.EmptyForm(), error=_("Check the times: use hours and minutes, e.g. 21:00.")), 422
    actions.update_device(sub, form)
    db.session.commit()
    return redirect(url_for("push.settings", saved=1))


@bp.post("/<public_id>/remove")
@policy(ACCOUNT)
def device_remove(public_id):
    sub = queries.get_device_or_404(current_user.account.id, public_id)
    actions.remove_device(current_user.account, sub)
    db.session.commit()
    return redirect(url_for("push.settings"))
