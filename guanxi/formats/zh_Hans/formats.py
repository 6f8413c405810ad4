"""Chinese number formats for business screens: 1,234,567.89 (Django's zh_Hans default
groups by four digits with no separator, which makes amounts unreadable)."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
