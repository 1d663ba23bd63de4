# Django's zh_Hans formats group no digits; statistical tables here group by thousands (4,715,980), where a
# template asks for grouping (floatformat:"0g"). Everything else is Django's zh_Hans.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
