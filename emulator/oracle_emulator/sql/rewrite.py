"""Rewrite a parsed query so it runs against the multi-version storage.

Per SELECT scope: table names are resolved through the catalogue (current schema, then
public synonyms: SYS tables and the dictionary views, V$DATABASE only for users granted it,
see :mod:`.privileges`) and replaced by derived tables showing
the versions the statement's snapshot sees (``AS OF SCN``/``TIMESTAMP`` included); ``*`` is
expanded here so hidden columns never leak; ``ROWID`` becomes the row identity (compared in
physical order) or its text; ``seq.NEXTVAL``, ``USER`` and ``SYS_CONTEXT`` are resolved.
Injected SQL is carried through the translator as marker identifiers (``__EMU_<n>__``) and
substituted into the DuckDB text afterwards, so the translator never sees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from oracle_emulator.sql import parsing
from oracle_emulator.sql.catalogue import SYS, Catalogue, Column, Table
from oracle_emulator.sql.errors import table_not_found
from oracle_emulator.sql.storage import RID, Snapshot, live_sql
from oracle_emulator.sql.sys_context import DEFAULT_LENGTH, SYS_CONTEXT_FUNCTION
from oracle_emulator.sql.translate_connect import rewrite_row_generator

_MARKER = re.compile(r'"?(__EMU_\d+__)"?')
ROWID = "ROWID"
ROWID_TEXT_MACRO = "__emu_rowid"
RID_OF_MACRO = "__emu_rid_of"
NEXTVAL_FUNCTION = "__emu_nextval"
CURRVAL_FUNCTION = "__emu_currval"
CURRENT_SCN_FUNCTION = "__emu_current_scn"
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
MAX_VIEW_DEPTH = 16
_SCOPE_BOUNDARIES = (exp.Select, exp.Union, exp.Intersect, exp.Except)


def _is_dual(source: Source) -> bool:
    table = source.table
    return table is not None and table.owner == SYS and table.name == "DUAL"


def ident_name(identifier: exp.Expression | str | None) -> str:
    """An identifier as Oracle stores it: upper case unless quoted."""
    if identifier is None:
        return ""
    if isinstance(identifier, str):
        return identifier.upper()
    if isinstance(identifier, exp.Identifier):
        return identifier.this if identifier.quoted else identifier.this.upper()
    return identifier.name.upper()


@dataclass
class Source:
    """One FROM/JOIN item of a scope."""

    alias: str
    node: exp.Expression
    table: Table | None = None


def resolve_column(node: exp.Column, sources: list[Source]) -> tuple[Source, Column] | None:
    """The source and declared column a column reference names among a scope's sources
    (None for ``*``, a derived table's column, or a name no table of the scope declares)."""
    if isinstance(node.this, exp.Star):
        return None
    quoted = bool(getattr(node.this, "quoted", False))
    qualifier = node.args.get("table")
    candidates = sources
    if qualifier is not None:
        wanted = ident_name(qualifier)
        candidates = [s for s in sources if s.alias == wanted]
    for source in candidates:
        if source.table is None:
            if qualifier is not None:
                return None
            continue
        declared = source.table.find_column(node.this.this, quoted)
        if declared is not None:
            return source, declared
    return None


@dataclass
class RewriteContext:
    """What resolution depends on: the session's schema, user and snapshot."""

    catalogue: Catalogue
    schema: str
    user: str
    snapshot: Snapshot
    binds: list[Any]
    #: (kind 'SCN' | 'TIMESTAMP', expression, table) -> SCN to read at (checks ORA-01555)
    resolve_as_of: Callable[[str, exp.Expression, Table], int]
    #: public synonym name -> DuckDB relation (dictionary views)
    public: dict[str, str]
    #: passed to the NEXTVAL/CURRVAL and SYS_CONTEXT functions (the session's SID)
    session_id: int = 0
    #: called before a dictionary view is read (refreshes its rows)
    touch_dictionary: Callable[[], None] | None = None
    #: (public name, owner written or None) -> whether the user may read it (ORA-00942 if not)
    may_read: Callable[[str, str | None], bool] | None = None


@dataclass
class Rewriter:
    """Rewrites one statement; collects injected SQL and the base tables it read."""

    ctx: RewriteContext
    fragments: dict[str, str] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    cte_names: set[str] = field(default_factory=set)
    #: the statement reads as of an SCN (its plan depends on bind values: not cacheable)
    flashback: bool = False
    #: the statement reads dictionary views (refresh them before every execution)
    dictionary: bool = False
    #: the SCNs it reads tables AS OF (their history must outlive its fetches)
    as_of_scns: list[int] = field(default_factory=list)
    _aliases: int = 0

    def fragment(self, sql: str) -> str:
        name = f"__EMU_{len(self.fragments)}__"
        self.fragments[name] = sql
        return name

    def new_alias(self) -> str:
        self._aliases += 1
        return f"__SQ{self._aliases}"

    def to_sql(self, tree: exp.Expression) -> str:
        """DuckDB text of the rewritten tree with injected SQL substituted."""
        text = parsing.to_duckdb(tree)
        return _MARKER.sub(lambda m: self.fragments.get(m.group(1), m.group(0)), text)

    # -- whole statements ------------------------------------------------------------------

    def prepare(self, tree: exp.Expression) -> None:
        """Expand views and stars everywhere (before output columns are read off the tree)."""
        self.cte_names = {ident_name(cte.args.get("alias").this) for cte in tree.find_all(exp.CTE)}
        self.expand_views(tree)
        for select in list(tree.find_all(exp.Select)):
            sources = self.sources(select)
            self.expand_stars(select, sources)
            if select is not tree:
                _name_items(select)

    def finish(self, tree: exp.Expression) -> None:
        """Resolve ROWID, sequences, USER/SYS_CONTEXT and table names in every scope."""
        for select in list(tree.find_all(exp.Select)):
            sources = self.sources(select)
            only_dual = len(sources) == 1 and _is_dual(sources[0])
            self.rewrite_rowids(select, sources)
            self.replace_tables(sources)
            rewrite_row_generator(select, only_dual)
        self.rewrite_pseudo(tree)

    def expand_views(self, tree: exp.Expression) -> None:
        """Replace references to user views by their (parsed) defining queries."""
        for _ in range(MAX_VIEW_DEPTH):
            found = False
            for node in list(tree.find_all(exp.Table)):
                view = self._view_of(node)
                if view is None:
                    continue
                found = True
                body, _ = parsing.parse(view.text)
                alias_node = node.args.get("alias")
                alias = (
                    ident_name(alias_node.this)
                    if alias_node is not None and alias_node.this
                    else view.name
                )
                columns = [exp.to_identifier(a, quoted=True) for a in view.aliases]
                table_alias = exp.TableAlias(
                    this=exp.to_identifier(alias, quoted=True), columns=columns
                )
                node.replace(exp.Subquery(this=body, alias=table_alias))
            if not found:
                return

    def _view_of(self, node: exp.Table) -> Any:
        if not isinstance(node.parent, (exp.From, exp.Join)) or node.name.startswith("__EMU_"):
            return None
        db = node.args.get("db")
        name = ident_name(node.this)
        if db is None and name in self.cte_names:
            return None
        owner = ident_name(db) if db is not None else self.ctx.schema
        return self.ctx.catalogue.views.get((owner, name))

    # -- sources ---------------------------------------------------------------------------

    def sources(self, select: exp.Select) -> list[Source]:
        items: list[exp.Expression] = []
        from_ = select.args.get("from") or select.args.get("from_")
        if from_ is not None:
            items.append(from_.this)
            items.extend(e for e in from_.expressions or [])
        items.extend(join.this for join in select.args.get("joins") or [])
        return [self._source(node) for node in items]

    def _source(self, node: exp.Expression) -> Source:
        alias_node = node.args.get("alias")
        alias = ident_name(alias_node.this) if alias_node is not None and alias_node.this else ""
        if isinstance(node, exp.Table) and not node.name.startswith("__EMU_"):
            table = self.resolve_table(node)
            return Source(alias or ident_name(node.this), node, table)
        if not alias and isinstance(node, exp.Subquery):
            alias = self.new_alias()
            node.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
        return Source(alias, node)

    def resolve_table(self, node: exp.Table) -> Table | None:
        """The base table a name means, None for CTEs/views/dictionary views; raises
        ORA-00942 for unknown names."""
        name = ident_name(node.this)
        db = node.args.get("db")
        if db is None and name in self.cte_names:
            return None
        catalogue = self.ctx.catalogue
        owner = ident_name(db) if db is not None else self.ctx.schema
        table = catalogue.tables.get((owner, name))
        if table is not None:
            return table
        if db is None or owner in (SYS, "PUBLIC"):
            table = catalogue.tables.get((SYS, name))
            if table is not None:
                return table
            if name in self.ctx.public:
                return None
        raise table_not_found()

    # -- stars -----------------------------------------------------------------------------

    def expand_stars(self, select: exp.Select, sources: list[Source]) -> None:
        items = select.expressions
        if not any(_is_star(item) for item in items):
            return
        expanded: list[exp.Expression] = []
        using = _using_columns(select)
        for item in items:
            if isinstance(item, exp.Star):
                # Oracle lists USING columns once, first, then every source's other columns
                expanded.extend(exp.column(name, quoted=True) for name in using)
                for source in sources:
                    expanded.extend(_star_items(source, set(using)))
            elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
                qualifier = ident_name(item.args.get("table"))
                matching = [s for s in sources if s.alias == qualifier]
                if not matching:
                    expanded.append(item)
                for source in matching:
                    expanded.extend(_star_items(source))
            else:
                expanded.append(item)
        select.set("expressions", expanded)

    # -- ROWID -----------------------------------------------------------------------------

    def rewrite_rowids(self, select: exp.Select, sources: list[Source]) -> None:
        for column in list(_scope_nodes(select, exp.Column)):
            if ident_name(column.this) != ROWID or isinstance(column.this, exp.Star):
                continue
            source = _rowid_source(column, sources)
            if source is None or source.table is None:
                continue
            rid = exp.column(RID, table=exp.to_identifier(source.alias, quoted=True))
            parent = column.parent
            # ROWID IN (SELECT ROWID ...): the subquery yields ROWID text, so compare as text
            against_query = isinstance(parent, exp.In) and parent.args.get("query") is not None
            if isinstance(parent, (*_COMPARISONS, exp.Between, exp.In)) and not against_query:
                self._compare_rid(parent, column, rid)
            elif isinstance(parent, exp.Ordered):
                column.replace(rid)
            else:
                call = exp.Anonymous(
                    this=ROWID_TEXT_MACRO,
                    expressions=[exp.Literal.number(source.table.object_id), rid],
                )
                column.replace(call)

    @staticmethod
    def _compare_rid(parent: exp.Expression, column: exp.Column, rid: exp.Column) -> None:
        for key, value in list(parent.args.items()):
            values = value if isinstance(value, list) else [value]
            for operand in values:
                if operand is column or not isinstance(operand, exp.Expression):
                    continue
                if isinstance(operand, exp.Column) and ident_name(operand.this) == ROWID:
                    continue
                if key in ("this", "expression", "low", "high", "expressions"):
                    operand.replace(exp.Anonymous(this=RID_OF_MACRO, expressions=[operand.copy()]))
        column.replace(rid)

    # -- table replacement -----------------------------------------------------------------

    def replace_tables(self, sources: list[Source]) -> None:
        for source in sources:
            node = source.node
            if not isinstance(node, exp.Table) or node.name.startswith("__EMU_"):
                continue
            if source.table is not None:
                self._replace_base(node, source)
            else:
                self._replace_other(node, source)

    def _replace_base(self, node: exp.Table, source: Source) -> None:
        table = source.table
        assert table is not None
        snapshot = self.ctx.snapshot
        version = node.args.get("version")
        if version is not None:
            self.flashback = True
            kind = str(version.this).upper()
            scn = self.ctx.resolve_as_of(kind, version.expression, table)
            self.as_of_scns.append(scn)
            snapshot = Snapshot(as_of=scn)
        self.tables.append(table)
        marker = self.fragment(live_sql(table, snapshot))
        alias = node.args.get("alias")
        if alias is None or not alias.this:
            alias = exp.TableAlias(this=exp.to_identifier(source.alias, quoted=True))
        node.replace(exp.Table(this=exp.to_identifier(marker), alias=alias))

    def _replace_other(self, node: exp.Table, source: Source) -> None:
        name = ident_name(node.this)
        db = node.args.get("db")
        if db is None and name in self.cte_names:
            return
        owner = ident_name(db) if db is not None else None
        if owner is not None and owner not in (SYS, "PUBLIC"):
            raise table_not_found()
        relation = self.ctx.public.get(name)
        if relation is None or (self.ctx.may_read and not self.ctx.may_read(name, owner)):
            raise table_not_found()
        self.dictionary = True
        if self.ctx.touch_dictionary is not None:
            self.ctx.touch_dictionary()
        alias = node.args.get("alias")
        if alias is None or not alias.this:
            alias = exp.TableAlias(this=exp.to_identifier(source.alias, quoted=True))
        node.replace(exp.Table(this=exp.to_identifier(self.fragment(relation)), alias=alias))

    # -- pseudo columns and functions ------------------------------------------------------

    def rewrite_pseudo(self, tree: exp.Expression) -> None:
        for column in list(tree.find_all(exp.Column)):
            self._pseudo_column(column)
        for dot in list(tree.find_all(exp.Dot)):
            if _is_flashback_scn(dot.this, dot.expression):
                dot.replace(exp.Anonymous(this=CURRENT_SCN_FUNCTION, expressions=[]))
        for call in list(tree.find_all(exp.Anonymous)):
            if str(call.this).upper() == "SYS_CONTEXT" and 2 <= len(call.expressions) <= 3:
                self._sys_context(call)

    def _pseudo_column(self, column: exp.Column) -> None:
        name = ident_name(column.this)
        qualifier = column.args.get("table")
        if qualifier is not None and name in ("NEXTVAL", "CURRVAL"):
            owner_node = column.args.get("db")
            owner = ident_name(owner_node) if owner_node is not None else self.ctx.schema
            seq_name = ident_name(qualifier)
            if (owner, seq_name) not in self.ctx.catalogue.sequences:
                return
            function = NEXTVAL_FUNCTION if name == "NEXTVAL" else CURRVAL_FUNCTION
            literal = exp.Literal.string(f"{owner}.{seq_name}")
            session = exp.Literal.number(self.ctx.session_id)
            column.replace(exp.Anonymous(this=function, expressions=[literal, session]))
        elif qualifier is not None and _is_flashback_scn(qualifier, column.this):
            column.replace(exp.Anonymous(this=CURRENT_SCN_FUNCTION, expressions=[]))
        elif qualifier is None and name == "USER" and not column.this.quoted:
            column.replace(exp.Literal.string(self.ctx.user))

    def _sys_context(self, call: exp.Anonymous) -> None:
        """Evaluated as the statement runs, for the session (see :mod:`.sys_context`)."""
        namespace, parameter, *rest = call.expressions
        length = rest[0] if rest else exp.Literal.number(DEFAULT_LENGTH)
        session = exp.Literal.number(self.ctx.session_id)
        call.replace(
            exp.Anonymous(
                this=SYS_CONTEXT_FUNCTION, expressions=[namespace, parameter, length, session]
            )
        )


def _is_star(item: exp.Expression) -> bool:
    return isinstance(item, exp.Star) or (
        isinstance(item, exp.Column) and isinstance(item.this, exp.Star)
    )


def _star_items(source: Source, skip: set[str] | None = None) -> list[exp.Expression]:
    qualifier = exp.to_identifier(source.alias, quoted=True)
    if source.table is None:
        return [exp.Column(this=exp.Star(), table=qualifier)]
    return [
        exp.column(column.name, table=qualifier.copy(), quoted=True)
        for column in source.table.columns
        if not skip or column.name not in skip
    ]


def _using_columns(select: exp.Select) -> list[str]:
    names: list[str] = []
    for join in select.args.get("joins") or []:
        for identifier in join.args.get("using") or []:
            name = ident_name(identifier)
            if name not in names:
                names.append(name)
    return names


def _rowid_source(column: exp.Column, sources: list[Source]) -> Source | None:
    qualifier = column.args.get("table")
    if qualifier is not None:
        wanted = ident_name(qualifier)
        return next((s for s in sources if s.alias == wanted), None)
    bases = [s for s in sources if s.table is not None]
    return bases[0] if bases else None


def _scope_nodes(select: exp.Select, kind: type[exp.Expression]) -> Iterator[Any]:
    """Nodes of ``kind`` in this SELECT's own scope (not inside nested queries)."""
    stack: list[exp.Expression] = [select]
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            yield node
        for child in node.iter_expressions():
            if isinstance(child, _SCOPE_BOUNDARIES):
                continue
            stack.append(child)


def _is_flashback_scn(package: exp.Expression, member: exp.Expression) -> bool:
    """``DBMS_FLASHBACK.GET_SYSTEM_CHANGE_NUMBER`` (with or without parentheses)."""
    return ident_name(package) == "DBMS_FLASHBACK" and (
        str(getattr(member, "this", member)).upper() == "GET_SYSTEM_CHANGE_NUMBER"
    )


def _name_items(select: exp.Select) -> None:
    """Give an inner query's items Oracle's names (upper-case aliases, expression text), so
    that a ``*`` over it, which DuckDB names, shows what Oracle would."""
    from oracle_emulator.sql.outputs import oracle_name

    items = []
    for item in select.expressions:
        if isinstance(item, exp.Alias):
            alias = item.args.get("alias")
            if isinstance(alias, exp.Identifier) and not alias.quoted:
                item.set("alias", exp.to_identifier(alias.this.upper(), quoted=True))
        elif not isinstance(item, (exp.Column, exp.Star)):
            item = exp.alias_(item, oracle_name(item), quoted=True)
        items.append(item)
    select.set("expressions", items)
