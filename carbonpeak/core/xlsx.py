"""Safe .xlsx in and out (pure Python, no Django: the engines use it too).

Out: every cell Carbonpeak writes is data, never a formula, so user text such as `=HYPERLINK(...)` or a label like
`= 0 万吨` is shown as typed. In: a workbook is a zip, and a small one can expand to gigabytes; `expanded_size`
answers before anything is parsed.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO


def workbook_bytes(wb) -> bytes:
    """Save an openpyxl workbook with every formula-looking cell stored as text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def expanded_size(source: bytes | IO[bytes]) -> int | None:
    """The total unzipped size of an .xlsx's parts; None when it is not a zip at all."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf:
            return sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        return None
    finally:
        if not isinstance(source, bytes):
            source.seek(0)
