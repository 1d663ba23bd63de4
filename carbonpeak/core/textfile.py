"""What every CSV reader checks before parsing: the bytes are UTF-8 text without a NUL character."""


def csv_text_problem(data: bytes) -> tuple[int, str] | None:
    """(row, reason) of the first thing that makes ``data`` no CSV text to store, else None: bytes that are not
    UTF-8, or a NUL character (a binary file; PostgreSQL cannot store one)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data[:exc.start].count(b"\n") + 1, "not UTF-8 text: save the file as CSV (UTF-8)"
    if b"\x00" in data:
        return data[:data.index(b"\x00")].count(b"\n") + 1, "contains a NUL character (a binary file, not CSV text)"
    return None
