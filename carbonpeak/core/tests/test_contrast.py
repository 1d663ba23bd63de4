"""Every text colour in the stylesheet is readable on its background: WCAG 2 contrast of at least 4.5:1 for each
`--X-fg` on its `--X-bg` (white when the pair has no background), computed from site.css itself."""

from __future__ import annotations

import re
from pathlib import Path

CSS = (Path(__file__).resolve().parents[1] / "static" / "core" / "site.css").read_text()
COLOURS = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", CSS))


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_contrast_formula_gives_the_known_values():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#f9a825", "#ffffff"), 2) == 1.97  # the amber the issue found on white


def test_every_text_colour_has_contrast_of_at_least_4_5_on_its_background():
    pairs = {name[:-3]: (fg, COLOURS.get(f"{name[:-3]}-bg", "#ffffff"))
             for name, fg in COLOURS.items() if name.endswith("-fg")}
    assert {"ok", "bad", "at_risk", "submitted", "unreported", "exceeded", "warning", "level-amber",
            "uncertain", "unlikely"} <= set(pairs)
    low = {name: round(contrast(fg, bg), 2) for name, (fg, bg) in pairs.items() if contrast(fg, bg) < 4.5}
    assert not low, low


def test_text_rules_use_the_variables_not_the_unreadable_amber():
    assert "#f9a825" not in CSS.lower()
    for rule in (".ok", ".bad", ".status-at_risk", ".report-status.st-none", "tr.exceeded", ".verdict-uncertain"):
        body = re.search(r"(?:^|[\s}])" + re.escape(rule) + r"(?![\w-])[^{}]*\{([^}]*)\}", CSS, re.MULTILINE)[1]
        assert "var(--" in body, rule
