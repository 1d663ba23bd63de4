"""The one-line text that pages and the API show for a failed change."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_text(exc: Exception) -> str:
    """A `ValidationError`'s messages (field errors included, in order) joined by "; ", else `str(exc)`."""
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc)
