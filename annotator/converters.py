"""URL path converters, registered in ``AnnotatorConfig.ready`` before any URLconf loads."""


class IdConverter:
    """A database id: at most 18 digits, so it always fits a 64-bit integer column.

    A longer number does not match the route and answers 404, instead of the database refusing
    the comparison (SQLite raises OverflowError past 2**63). Every route uses ``<id:...>``.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
