"""A parser and evaluator for the QBO query language (SELECT ... FROM ... WHERE ...)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

DEFAULT_MAX_RESULTS = 100
MAX_RESULTS_LIMIT = 1000
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:\\.|[^'\\])*')|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<symbol><=|>=|!=|=|<|>|\(|\)|,|\*)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
_OPERATORS = ("=", "!=", "<", ">", "<=", ">=", "IN", "LIKE")


class QueryError(ValueError):
    """A query Intuit would reject; code is 4000 (parse) or 4001 (validation)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: object


@dataclass
class Query:
    entity: str
    count: bool = False
    conditions: list[Condition] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)
    start_position: int = 1
    max_results: int = DEFAULT_MAX_RESULTS


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


def _tokenize(text: str) -> list[Token]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise _parse_error(text[position:].strip()[:1], position)
        kind = match.lastgroup
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


def _parse_error(found: str, position: int) -> QueryError:
    detail = f'QueryParserError: Encountered "{found}" at line 1, column {position + 1}.'
    return QueryError("4000", detail)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise QueryError("4000", "QueryParserError: Encountered <EOF> at end of query.")
        self.index += 1
        return token

    def at_keyword(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.upper() in words

    def expect(self, text: str) -> Token:
        token = self.next()
        if token.text.upper() != text:
            raise _parse_error(token.text, token.position)
        return token

    def integer(self) -> int:
        token = self.next()
        if token.kind != "number" or "." in token.text or token.text.startswith("-"):
            raise _parse_error(token.text, token.position)
        return int(token.text)


def parse_query(text: str) -> Query:
    """Parse a QBO select statement; QueryError if Intuit would refuse it."""
    parser = _Parser(text)
    parser.expect("SELECT")
    count = _parse_projection(parser)
    parser.expect("FROM")
    entity = parser.next()
    if entity.kind != "word":
        raise _parse_error(entity.text, entity.position)
    query = Query(entity.text, count)
    _parse_clauses(parser, query)
    return query


def _parse_projection(parser: _Parser) -> bool:
    if parser.at_keyword("COUNT"):
        for expected in ("COUNT", "(", "*", ")"):
            parser.expect(expected)
        return True
    parser.expect("*")
    while parser.peek() is not None and parser.peek().text == ",":
        parser.next()
        parser.next()  # extra columns (python-quickbooks sends "*, Sku") add nothing to "*"
    return False


def _parse_clauses(parser: _Parser, query: Query) -> None:
    if parser.at_keyword("WHERE"):
        parser.next()
        query.conditions.append(_parse_condition(parser))
        while parser.at_keyword("AND"):
            parser.next()
            query.conditions.append(_parse_condition(parser))
    if parser.at_keyword("ORDER", "ORDERBY"):
        if parser.next().text.upper() == "ORDER":
            parser.expect("BY")
        query.order_by = _parse_order(parser)
    if parser.at_keyword("STARTPOSITION"):
        parser.next()
        query.start_position = max(parser.integer(), 1)
    if parser.at_keyword("MAXRESULTS"):
        parser.next()
        query.max_results = min(parser.integer(), MAX_RESULTS_LIMIT)
    leftover = parser.peek()
    if leftover is not None:
        raise _parse_error(leftover.text, leftover.position)


def _parse_order(parser: _Parser) -> list[tuple[str, bool]]:
    order = []
    while True:
        name = parser.next().text
        descending = parser.at_keyword("DESC")
        if parser.at_keyword("ASC", "DESC"):
            parser.next()
        order.append((name, descending))
        if not (parser.peek() and parser.peek().text == ","):
            return order
        parser.next()


def _parse_condition(parser: _Parser) -> Condition:
    name = parser.next()
    operator = parser.next().text.upper()
    if name.kind != "word" or operator not in _OPERATORS:
        raise _parse_error(operator, name.position)
    if operator == "IN":
        parser.expect("(")
        values = [_literal(parser.next())]
        while (separator := parser.next()).text != ")":
            if separator.text != ",":
                raise _parse_error(separator.text, separator.position)
            values.append(_literal(parser.next()))
        return Condition(name.text, operator, values)
    return Condition(name.text, operator, _literal(parser.next()))


def _literal(token: Token) -> object:
    if token.kind == "string":
        return re.sub(r"\\(.)", r"\1", token.text[1:-1])
    if token.kind == "number":
        return float(token.text)
    if token.kind == "word" and token.text.lower() in ("true", "false"):
        return token.text.lower() == "true"
    raise _parse_error(token.text, token.position)
