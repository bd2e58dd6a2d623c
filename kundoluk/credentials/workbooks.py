"""The import templates: an empty data sheet with the headers, and a sheet on filling it in."""
from flask_babel import force_locale, gettext as _

from kundoluk.credentials import columns, spreadsheets

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_xlsx(kind, lang):
    """XLSX bytes: headers in ky or ru on the first sheet, instructions on the second."""
    keys = [key for key, _required in columns.COLUMNS[kind]]
    pick = 0 if lang == "ky" else 1
    headers = [columns.HEADERS[key][pick] for key in keys]
    text_columns = [i for i, key in enumerate(keys) if key in columns.TEXT_COLUMNS]
    with force_locale(lang):
        help_rows = [[_("How to fill in")], *([line] for line in _help(kind))]
        sheets = [(_("Data"), [headers]), (_("How to fill in"), help_rows)]
    return spreadsheets.write_xlsx(sheets, text_columns=text_columns)


def _help(kind):
    lines = [
        _("One person per row, under the header. Do not change the header; the columns may be in any order."),
        _("The given name is required. A name without a surname: write «Нурлан уулу» or «Камалидин кызы» as the father's name."),
        _("Birth date as 31.08.2015. Personal number (ПИН): 14 digits. Give at least one of them: they recognise a person when a file is imported again."),
        _("Language: ky or ru, the language of the family's login slip."),
    ]
    if kind == "pupils":
        lines.append(_("Class as 7-А: the class must exist in this school year."))
    if kind == "parents":
        lines.append(_("One row per parent and child. The child must already be a pupil of the school: import the pupils first."))
    if kind == "staff":
        lines.append(_("Roles, separated by commas: teacher, deputy, director, admin. A class in the class column makes the person its class teacher."))
    lines.append(_("Nothing is written until you have seen the check and confirmed it. Importing the same file again adds nobody twice."))
    return lines
