"""Static files storage: WhiteNoise's compressed, content-hashed files, or plain names before `collectstatic`."""

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Compressed (gzip, and Brotli when installed) copies and content-hashed names, so browsers may cache static
    files for ever. Source maps (`.map`, several MB, fetched only by a developer's browser tools) are not
    compressed: Brotli at WhiteNoise's top quality spent more than half of every start's collectstatic on them.

    `carbonpeak up` runs collectstatic before serving. Before any collectstatic (a shell, `carbonpeak bench` on a
    fresh CARBONPEAK_HOME) there is no manifest at all: pages then name the plain files instead of failing with
    "Missing staticfiles manifest entry". Once a manifest exists, a file missing from it is still an error.
    """

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)

    def create_compressor(self, **kwargs) -> Compressor:
        skipped = kwargs.get("extensions") or Compressor.SKIP_COMPRESS_EXTENSIONS
        return super().create_compressor(**{**kwargs, "extensions": (*skipped, "map")})
