"""What the provider knows about a source table: the records shared by the hook, the encoders,
the writer and the manifest.

They are msgspec Structs so that they serialise into manifests and XComs as they are, with no
hand-written ``to_dict``; they hold no connection details, so nothing secret can travel with them.
"""

from __future__ import annotations

import msgspec


class OracleColumn(msgspec.Struct, frozen=True, kw_only=True):
    """One column as the data dictionary (ALL_TAB_COLUMNS) declares it.

    ``data_type`` is Oracle's own spelling, as ALL_TAB_COLUMNS.DATA_TYPE gives it:
    ``NUMBER``, ``VARCHAR2``, ``TIMESTAMP(6)``, ``TIMESTAMP(6) WITH TIME ZONE``,
    ``INTERVAL DAY(2) TO SECOND(6)``... ``precision``/``scale`` are DATA_PRECISION/DATA_SCALE
    (None where the dictionary has NULL: NUMBER without precision, non-numeric types);
    ``char_length`` is CHAR_LENGTH for character types (0 otherwise).
    """

    name: str
    data_type: str
    precision: int | None = None
    scale: int | None = None
    char_length: int = 0
    nullable: bool = True
    comment: str | None = None

    @property
    def base_type(self) -> str:
        """The type without its parenthesised sizes: ``TIMESTAMP(6) WITH TIME ZONE`` ->
        ``TIMESTAMP WITH TIME ZONE``, ``INTERVAL DAY(2) TO SECOND(6)`` ->
        ``INTERVAL DAY TO SECOND``."""
        out: list[str] = []
        depth = 0
        for char in self.data_type:
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            elif depth == 0:
                out.append(char)
        return " ".join("".join(out).split())

    @property
    def fractional_precision(self) -> int | None:
        """Fractional-second digits of TIMESTAMP(n)... types (``n``), else None."""
        if not self.data_type.startswith("TIMESTAMP"):
            return None
        opening = self.data_type.find("(")
        if opening < 0:
            return 6
        return int(self.data_type[opening + 1 : self.data_type.index(")")])


class TableMetadata(msgspec.Struct, frozen=True, kw_only=True):
    """A table as introspected: columns in COLUMN_ID order, primary key, size estimate."""

    owner: str
    name: str
    columns: tuple[OracleColumn, ...]
    primary_key: tuple[str, ...] = ()
    #: ALL_TABLES.NUM_ROWS: the optimizer's estimate (None if never analysed); progress only
    num_rows: int | None = None
    comment: str | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.owner}.{self.name}"

    def column(self, name: str) -> OracleColumn:
        for column in self.columns:
            if column.name == name:
                return column
        known = ", ".join(c.name for c in self.columns)
        raise KeyError(f"{self.qualified_name} has no column {name!r} (columns: {known})")
