"""An inventory's warnings and dual-control rules as people read them, in the active language.

The engine (no Django) writes them as fixed-shape English lines (the rules bilingual: 中文 (English)), and stored
inventory runs keep them so; this module says each again through gettext. A line of another shape is shown as is.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def _years(text: str, pattern: str, say: str) -> str:
    """'2021 (used 2020), 2022 (used 2020)' → the same list in the active language."""
    sep = ", " if (get_language() or "").lower().startswith("en") else "、"
    return sep.join(say % {"year": m[1], "used": m[2]} for m in re.finditer(pattern, text))


def readable_warning(line: str) -> str:
    m = re.fullmatch(r"grid factor: no published figure for year\(s\) (.*)", line)
    if m:
        return _("grid emission factor: no published figure for %(years)s") % {
            "years": _years(m[1], r"(\d{4}) \(used (\d{4})\)", _("%(year)s (the %(used)s figure used)"))}
    m = re.fullmatch(r"(等价值 electricity \((.*)\)|grid non-fossil share): year\(s\) (.*)", line)
    if m:  # the statistic itself is named on the factor library page
        what = _("equal-value electricity") if m[2] is not None else _("grid non-fossil share")
        return _("%(what)s: %(years)s") % {"what": what, "years": _years(
            m[3], r"(\d{4}) reuse (\d{4})'s value", _("%(year)s reuses the %(used)s value"))}
    m = re.fullmatch(r"(.*) / (.*) / (\d{4}): both annual and monthly records, summed", line)
    if m:
        return _("%(entity)s / %(carrier)s / %(year)s: both annual and monthly records, summed") % {
            "entity": m[1], "carrier": m[2], "year": m[3]}
    return line


def readable_rule(rule: str) -> str:
    """A bilingual rule (中文 (English)) in the active language's half."""
    m = re.fullmatch(r"(.*) \(([^()\u4e00-\u9fff]+)\)", rule)
    if not m:
        return rule
    return m[1] if not (get_language() or "").lower().startswith("en") else f"{rule.split(':', 1)[0]}: {m[2]}"
