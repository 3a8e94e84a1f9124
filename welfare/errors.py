"""Errors with messages a user can act on: they name the table, row and field."""

from __future__ import annotations


class WelfareError(Exception):
    """Base class for every error the library raises on purpose."""


class SourceError(WelfareError):
    """A source could not deliver a table (network, HTTP, bad JSON, missing file).

    ``source`` names the source ("CBS OData v3 at opendata.cbs.nl", "folder …"),
    ``table_id`` the table, and the message says what went wrong.
    """

    def __init__(self, message: str, *, source: str = "", table_id: str = "") -> None:
        super().__init__(message)
        self.source = source
        self.table_id = table_id


class SourceUnreachable(SourceError):
    """The source could not be reached at all (connection refused, DNS, timeout).

    ``build --source auto`` falls back to the CSV folder on this error only.
    """


class DataError(WelfareError):
    """A table was delivered but its content is wrong (missing rows or columns,
    unknown region, non-numeric value)."""

    def __init__(
        self,
        message: str,
        *,
        table_id: str = "",
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.table_id = table_id
        self.row = row
        self.field = field


class CatalogError(WelfareError):
    """The indicator catalogue is invalid; the message names the entry and field."""


class WarehouseError(WelfareError):
    """The warehouse is missing, of another schema version, or unreadable."""
