"""Where a click on a notification leads (built without a request: the worker has none)."""
from flask import current_app


def target(delivery):
    """The diary week of the day concerned when the diary exists, else the home page."""
    endpoint = "diary.week"
    if endpoint not in current_app.view_functions or not delivery.pupil_id:
        return "/"
    from kundoluk.extensions import db
    from kundoluk.models import Person
    pupil = db.session.get(Person, delivery.pupil_id)
    values = {"pupil_id": pupil.public_id}
    if delivery.content.get("date"):
        values["day"] = delivery.content["date"]
    return current_app.url_map.bind("localhost").build(endpoint, values)
