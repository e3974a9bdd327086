"""Path converters for the project's addresses.

`id`: a database id, 1 to 18 digits. Django's `int` takes any number of digits, and an id too
big for a 64-bit column made the database driver raise (SQLite: OverflowError) instead of the
page answering 404; 18 digits always fit. Registered by core's AppConfig.ready(), before any
URL module is loaded. DRF routers use ID_REGEX as their lookup_value_regex.
"""

from __future__ import annotations

ID_REGEX = "[0-9]{1,18}"


class IdConverter:
    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(int(value))
