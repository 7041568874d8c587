"""A tokenizer and token stream for Oracle DDL, which sqlglot does not parse well enough
(``NUMBER(12,-2)``, ``VARCHAR2(10 CHAR)``, ``INTERVAL DAY(3) TO SECOND(6)``, storage clauses).

Tokens keep their offsets so that embedded expressions (DEFAULT, CHECK, AS SELECT) can be
cut out of the original text and handed to the SQL translator as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from oracle_emulator.api import ORA_INVALID_SQL, OracleError

IDENT = "ident"
STRING = "string"
NUMBER = "number"
PUNCT = "punct"
_IDENT_EXTRA = "_$#"
_TWO_CHAR_PUNCT = ("<=", ">=", "<>", "!=", "||", ":=", "=>")


@dataclass(frozen=True)
class Token:
    kind: str
    #: identifiers: upper-cased unless quoted; strings: the unescaped text
    value: str
    start: int
    end: int
    quoted: bool = False

    def is_word(self, *words: str) -> bool:
        return self.kind == IDENT and not self.quoted and self.value in words


def tokenize(text: str) -> list[Token]:
    """Split DDL text into tokens; comments are dropped."""
    tokens: list[Token] = []
    pos, length = 0, len(text)
    while pos < length:
        ch = text[pos]
        if ch.isspace():
            pos += 1
        elif text.startswith("--", pos):
            end = text.find("\n", pos)
            pos = length if end < 0 else end + 1
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            pos = length if end < 0 else end + 2
        elif ch == "'":
            token = _string(text, pos)
            tokens.append(token)
            pos = token.end
        elif ch == '"':
            end = text.find('"', pos + 1)
            if end < 0:
                raise OracleError(1740, "missing double quote in identifier", pos)
            tokens.append(Token(IDENT, text[pos + 1 : end], pos, end + 1, quoted=True))
            pos = end + 1
        elif ch.isdigit() or (ch == "." and pos + 1 < length and text[pos + 1].isdigit()):
            end = _number_end(text, pos)
            tokens.append(Token(NUMBER, text[pos:end], pos, end))
            pos = end
        elif ch.isalpha() or ch in "_":
            end = pos
            while end < length and (text[end].isalnum() or text[end] in _IDENT_EXTRA):
                end += 1
            tokens.append(Token(IDENT, text[pos:end].upper(), pos, end))
            pos = end
        else:
            two = text[pos : pos + 2]
            size = 2 if two in _TWO_CHAR_PUNCT else 1
            tokens.append(Token(PUNCT, text[pos : pos + size], pos, pos + size))
            pos += size
    return tokens


def _string(text: str, pos: int) -> Token:
    out = []
    index = pos + 1
    while index < len(text):
        if text[index] == "'":
            if text.startswith("''", index):
                out.append("'")
                index += 2
                continue
            return Token(STRING, "".join(out), pos, index + 1)
        out.append(text[index])
        index += 1
    raise OracleError(1756, "quoted string not properly terminated", pos)


def _number_end(text: str, pos: int) -> int:
    end = pos
    while end < len(text) and (text[end].isdigit() or text[end] == "."):
        end += 1
    if end < len(text) and text[end] in "eE":
        probe = end + 1
        if probe < len(text) and text[probe] in "+-":
            probe += 1
        if probe < len(text) and text[probe].isdigit():
            end = probe
            while end < len(text) and text[end].isdigit():
                end += 1
    return end


class TokenStream:
    """A cursor over tokens with the small vocabulary a recursive-descent parser needs."""

    def __init__(self, text: str, tokens: list[Token] | None = None) -> None:
        self.text = text
        self.tokens = tokenize(text) if tokens is None else tokens
        self.pos = 0

    @property
    def done(self) -> bool:
        return self.pos >= len(self.tokens)

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise self.error("unexpected end of SQL command")
        self.pos += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.is_word(*words)

    def at_punct(self, value: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == PUNCT and token.value == value

    def accept_word(self, *words: str) -> bool:
        if self.at_word(*words):
            self.pos += 1
            return True
        return False

    def accept_words(self, *words: str) -> bool:
        """Consume a whole phrase (``NOT``, ``NULL``) or nothing."""
        for offset, word in enumerate(words):
            token = self.peek(offset)
            if token is None or not token.is_word(word):
                return False
        self.pos += len(words)
        return True

    def accept_punct(self, value: str) -> bool:
        if self.at_punct(value):
            self.pos += 1
            return True
        return False

    def expect_word(self, *words: str) -> str:
        token = self.peek()
        if token is None or not token.is_word(*words):
            raise self.error(f"missing keyword {' or '.join(words)}")
        self.pos += 1
        return token.value

    def expect_punct(self, value: str) -> None:
        if not self.accept_punct(value):
            code = 906 if value == "(" else 907 if value == ")" else ORA_INVALID_SQL
            message = {906: "missing left parenthesis", 907: "missing right parenthesis"}
            raise self.error(message.get(code, f"missing {value}"), code)

    def identifier(self) -> Token:
        token = self.peek()
        if token is None or token.kind != IDENT:
            raise self.error("invalid identifier", 904)
        self.pos += 1
        return token

    def name(self) -> str:
        return self.identifier().value

    def qualified_name(self) -> tuple[str | None, str]:
        first = self.name()
        if self.accept_punct("."):
            return first, self.name()
        return None, first

    def integer(self) -> int:
        negative = self.accept_punct("-")
        token = self.next()
        if token.kind != NUMBER:
            raise self.error("invalid number", 1722)
        value = (
            int(float(token.value))
            if "." in token.value or "E" in token.value.upper()
            else int(token.value)
        )
        return -value if negative else value

    def skip_balanced(self) -> None:
        """Skip a parenthesised group starting at the current ``(``."""
        depth = 0
        while not self.done:
            token = self.next()
            if token.kind == PUNCT and token.value == "(":
                depth += 1
            elif token.kind == PUNCT and token.value == ")":
                depth -= 1
                if depth == 0:
                    return

    def text_until(
        self, stop_words: tuple[str, ...], stop_punct: tuple[str, ...] = (",", ")")
    ) -> str:
        """Original text up to (not including) a stop token at parenthesis depth 0."""
        depth = 0
        first = self.peek()
        if first is None:
            return ""
        last_end = first.start
        while not self.done:
            token = self.peek()
            assert token is not None
            if depth == 0 and (
                (token.kind == PUNCT and token.value in stop_punct) or token.is_word(*stop_words)
            ):
                break
            if token.kind == PUNCT and token.value == "(":
                depth += 1
            elif token.kind == PUNCT and token.value == ")":
                depth -= 1
            last_end = token.end
            self.pos += 1
        return self.text[first.start : last_end].strip()

    def rest(self) -> str:
        token = self.peek()
        return "" if token is None else self.text[token.start :].strip()

    def error(self, message: str, code: int = ORA_INVALID_SQL) -> OracleError:
        token = self.peek()
        return OracleError(code, message, token.start if token else len(self.text))
