"""Pick the zh or en variant of a bilingual field (`name_zh` / `name_en`) for the active language."""

from django.utils.translation import get_language


def localized(obj: object, field: str) -> str:
    """Return `obj.<field>_en` when English is active and it is filled in, else `obj.<field>_zh`."""
    lang = (get_language() or "zh-hans").lower()
    zh = getattr(obj, f"{field}_zh", "") or ""
    if lang.startswith("en"):
        return getattr(obj, f"{field}_en", "") or zh
    return zh


class Bilingual:
    """Mixin: `.name` and `.title` resolve to the active language's variant."""

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def title(self) -> str:
        return localized(self, "title")
