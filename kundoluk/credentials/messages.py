"""Import problems in the reader's language: problem codes are stored, words made on display."""
from flask_babel import gettext as _, ngettext

from kundoluk.credentials.columns import HEADERS
from kundoluk.web.i18n import current_language


def column_label(key):
    """A column as the reader's template names it (Kyrgyz or Russian header)."""
    if key not in HEADERS:
        return key or ""
    ky, ru, _others = HEADERS[key]
    return ru if current_language() == "ru" else ky


def row_problem(problem):
    """One row problem as a sentence."""
    code, column = problem.get("code"), column_label(problem.get("column"))
    value = problem.get("value", "")
    if code == "missing_name":
        return _("The name is missing (column «%(column)s»).", column=column)
    if code == "formula":
        return _("Column «%(column)s» holds a formula: type the value itself.", column=column)
    if code == "too_long":
        return _("Column «%(column)s» is longer than %(limit)s characters.", column=column, limit=problem.get("limit"))
    if code == "bad_date":
        return _("«%(value)s» in column «%(column)s» is not a date: write it as 31.08.2015.", value=value, column=column)
    if code == "bad_pin":
        return ngettext("The personal number in column «%(column)s» has %(num)d digit; it must have 14.",
                        "The personal number in column «%(column)s» has %(num)d digits; it must have 14.",
                        problem.get("digits", 0), column=column)
    if code == "missing_class":
        return _("The class is missing (column «%(column)s»).", column=column)
    if code == "unknown_class":
        return _("There is no class «%(value)s» this year. Write it as 7-А, or create the class first.", value=value)
    if code == "unknown_language":
        return _("Unknown language «%(value)s»: write ky or ru.", value=value)
    if code == "unknown_role":
        return _("Unknown role «%(value)s»: write teacher, deputy, director or admin.", value=value)
    if code == "missing_role":
        return _("The role is missing (column «%(column)s»).", column=column)
    if code == "identity_needed":
        return _("Give a birth date or the personal number, so that the person is recognised when the file is imported again.")
    if code == "unknown_pupil":
        return _("No pupil of the school has this name, birth date or personal number.")
    if code == "ambiguous_pupil":
        return _("Several pupils of the school have this name: add the pupil's birth date or personal number.")
    if code == "ambiguous_person":
        return _("Two people of the school have this name and birth date: add the personal number.")
    if code == "duplicate":
        return _("The same person as in row %(row)s.", row=problem.get("row"))
    return _("This row cannot be read.")


def file_problem(code, params):
    """A problem with the whole file as a sentence."""
    if code == "empty":
        return _("The file is empty.")
    if code == "no_rows":
        return _("The file has a header but no rows under it.")
    if code == "old_excel":
        return _("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx, or as CSV.")
    if code == "ods":
        return _("This is an OpenDocument spreadsheet. Save it as .xlsx or CSV.")
    if code == "wrong_type":
        return _("This is not a spreadsheet. Upload an .xlsx file or a CSV file.")
    if code == "damaged":
        return _("The file is damaged or not a real .xlsx file. Open it in Excel and save it again.")
    if code == "damaged_csv":
        return _("The CSV file cannot be read near line %(line)s. Save it again from the spreadsheet program.", line=params.get("line"))
    if code == "encoding":
        return _("The text of the file is broken near line %(line)s. Save it again as «CSV UTF-8».", line=params.get("line"))
    if code == "missing_columns":
        names = ", ".join(f"«{column_label(c)}»" for c in params.get("columns", []))
        return _("Row %(row)s should be the header, but these columns are missing: %(columns)s. Use the template.",
                 row=params.get("row", 1), columns=names)
    if code == "too_many_rows":
        return _("The file has more than %(limit)s rows. Split it, for example one file per grade.", limit=params.get("limit"))
    if code == "changed":
        return _("The school's data changed while the file was waiting (a class or pupil was removed). Upload the file again.")
    return _("The import stopped because of an error on our side. Nothing was written. Upload the file again.")


def too_large(limit_bytes):
    return _("The file is too large: at most %(mb)s MB. Split it, for example one file per grade.",
             mb=limit_bytes // 2**20)


def note(entry):
    if entry.get("code") == "ignored_columns":
        return _("These columns were not recognised and are left out: %(columns)s.",
                 columns=", ".join(f"«{c}»" for c in entry.get("columns", [])))
    return ""


def change_labels():
    """What each planned or applied count means."""
    return {
        "created": _("new people"),
        "enrolled": _("enrolled in a class"),
        "moved": _("moved to another class"),
        "linked": _("linked to a child"),
        "roles": _("given a new role"),
        "completed": _("personal number or birth date added"),
        "unchanged": _("already there, nothing to change"),
    }


def status_label(status):
    return {
        "parsing": _("being checked"),
        "ready": _("checked, waiting for confirmation"),
        "applying": _("being imported"),
        "applied": _("imported"),
        "failed": _("not imported"),
    }.get(status, status)
