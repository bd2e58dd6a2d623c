"""Reading uploaded tables (XLSX, CSV) and writing XLSX files safely.

The type is decided by the content, never by the file name. CSV may be UTF-8 (with or
without a BOM), UTF-16 with a BOM (Excel's "Unicode text") or Windows-1251; a file that is
neither is refused with the line where the text breaks. Every cell the app writes that
starts like a formula is prefixed with a quote, so a spreadsheet program never runs it.
"""
import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_ROWS = 10_000            # data rows in one file
MAX_UNZIPPED = 100 * 2**20   # an XLSX that unpacks to more is damaged or a zip bomb
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FileProblem(Exception):
    """A problem with the whole file; code names the message, params fill it."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Table:
    """An opened table: its format and encoding, and its non-empty rows.

    rows yields (row number as the spreadsheet shows it, [cell values], {formula column indexes}).
    """
    file_format: str
    encoding: str | None
    rows: object
    total: int | None = None
    closers: list = field(default_factory=list)

    def close(self):
        for close in self.closers:
            close()


def sniff(content):
    """'xlsx' or 'csv' from the bytes; raises FileProblem for anything else."""
    if not content or not content.strip():
        raise FileProblem("empty")
    head = content[:8]
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(content)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("old_excel")
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b", b"7z")):
        raise FileProblem("wrong_type")
    if b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("wrong_type")
    return "csv"


def _sniff_zip(content):
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileProblem("damaged")
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise FileProblem("ods")
        raise FileProblem("wrong_type")
    if unpacked > MAX_UNZIPPED:
        raise FileProblem("damaged")
    return "xlsx"


def open_table(content):
    """Open the bytes as a table (see Table); raises FileProblem."""
    kind = sniff(content)
    return _open_xlsx(content) if kind == "xlsx" else _open_csv(content)


# --- CSV -------------------------------------------------------------------------------

def decode(content):
    """(text, encoding) for UTF-8 (BOM or not), UTF-16 with a BOM or Windows-1251."""
    if content.startswith(b"\xef\xbb\xbf"):
        return _strict(content[3:], "utf-8"), "utf-8-sig"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(content, "utf-16"), "utf-16"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        if _looks_like_utf8(content):
            raise FileProblem("encoding", line=content.count(b"\n", 0, err.start) + 1)
    return _strict(content, "cp1251"), "cp1251"


def _strict(content, encoding):
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as err:
        raise FileProblem("encoding", line=content.count(b"\n", 0, err.start) + 1)
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:10000]):
        raise FileProblem("wrong_type")
    return text


def _looks_like_utf8(content):
    """Mostly valid UTF-8 Cyrillic pairs with a broken byte here and there: a damaged UTF-8
    file, which Windows-1251 would turn into gibberish ("РђСЃРµР»СЊ") instead of refusing."""
    pairs = sum(1 for a, b in zip(content, content[1:]) if 0xD0 <= a <= 0xD3 and 0x80 <= b <= 0xBF)
    high = sum(1 for b in content if b >= 0x80)
    return high > 0 and 2 * pairs >= 0.6 * high


def _open_csv(content):
    text, encoding = decode(content)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    records = list(_csv_records(text, dialect))
    return Table("csv", encoding, iter(records), total=len(records))


def _csv_records(text, dialect):
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    number = 0
    try:
        for number, cells in enumerate(reader, 1):
            if any(c.strip() for c in cells):
                yield number, cells, set()
    except csv.Error:
        raise FileProblem("damaged_csv", line=number + 1)


# --- XLSX ------------------------------------------------------------------------------

def _open_xlsx(content):
    import openpyxl
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        sheet = book.worksheets[0]
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise FileProblem("damaged")
    total = sheet.max_row if isinstance(sheet.max_row, int) else None
    return Table("xlsx", None, _xlsx_records(sheet), total=total, closers=[book.close])


def _xlsx_records(sheet):
    try:
        for number, cells in enumerate(sheet.iter_rows(), 1):
            values = [getattr(c, "value", None) for c in cells]
            if any(v is not None and str(v).strip() for v in values):
                formulas = {i for i, c in enumerate(cells) if getattr(c, "data_type", None) == "f"}
                yield number, values, formulas
    except Exception:
        raise FileProblem("damaged")


# --- writing ---------------------------------------------------------------------------

def neutralize(value):
    """A cell value that no spreadsheet program will run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_xlsx(sheets, text_columns=()):
    """XLSX bytes for [(title, [rows])]; columns listed as text keep leading digits as typed."""
    import openpyxl
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append([neutralize(v) for v in row])
        if rows:
            _format(sheet, len(rows[0]), text_columns if title == sheets[0][0] else ())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _format(sheet, width, text_columns):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    for index in range(1, width + 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 24
        if index - 1 in text_columns:
            # a ПИН typed into a number cell becomes 2.01012E+13; text keeps every digit
            for row in range(2, 2002):
                sheet[f"{letter}{row}"].number_format = "@"
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def cell_text(value):
    """A cell as stripped text ('' for empty); dates as ISO, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
