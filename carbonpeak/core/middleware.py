from django.conf import settings
from django.utils import translation


class PlatformLanguageMiddleware:
    """Chinese unless the user chose otherwise with the language switch (Django's language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language and show English to most browsers;
    a district platform is Chinese by default and English only on request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _label in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
