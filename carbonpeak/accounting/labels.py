"""Carriers and sectors as people read them: the active language's name, never the code."""

from __future__ import annotations

from django.utils.translation import get_language

from carbonpeak.accounting.engine.carriers import CARRIERS, SECTORS
from carbonpeak.accounting.engine.units import UNITS, chinese_name


def _english() -> bool:
    return (get_language() or "").lower().startswith("en")


def carrier_labels() -> dict[str, str]:
    """Carrier code → its name in the active language (天然气 / Natural gas)."""
    en = _english()
    return {k: (c.name_en if en else c.name_zh) for k, c in CARRIERS.items()}


def sector_labels() -> dict[str, str]:
    """Sector code → its name in the active language (工业 / Industry)."""
    en = _english()
    return {k: (name_en if en else name_zh) for k, (name_zh, name_en) in SECTORS.items()}


def accepted_carriers() -> list[tuple[str, str]]:
    """(how to write it, basis unit) per carrier, as an upload file may name it: the Chinese name in the Chinese
    UI; the code (and English name) in the English UI, where the Chinese name means nothing to the reader."""
    en = _english()
    return [(f"{k} ({c.name_en})" if en else c.name_zh, c.basis_unit) for k, c in CARRIERS.items()]


def accepted_sectors() -> list[str]:
    """How an upload file may name each sector (see `accepted_carriers`)."""
    en = _english()
    return [f"{k} ({name_en})" if en else name_zh for k, (name_zh, name_en) in SECTORS.items()]


def unit_labels() -> dict[str, str]:
    """Unit symbol → its name in the active language: the Chinese spelling the importer also accepts (吨标准煤 for
    tce, 千瓦时 for kWh) in the Chinese UI, the symbol in the English UI."""
    en = _english()
    return {u: u if en else chinese_name(u) for u in UNITS}
