"""The small expression language used by rule and scenario files.

Rule files hold conditions and formulas as strings. They are untrusted author input, so they are never handed
to Python's ``eval``: they are parsed here, type-checked against the rulebook's symbol table when the rulebook
loads (so a typo fails the load, not month 17 of a game), and compiled once into nested closures, because the
engine evaluates them many thousands of times per second.

Language reference (for rule authors)
-------------------------------------
* Literals: numbers (``12``, ``0.5``, ``.5``, ``1e3``), ``true``, ``false``, strings in single or double
  quotes (no escapes; a string cannot contain its own quote character). Strings can only be compared with
  ``==`` and ``!=``.
* Names: dotted identifiers such as ``mx.st`` or ``start.us.od_synth``. A dotted name is one key, not a path.
  Names in ``Symbols.constants`` (the rulebook's ``par.<id>`` parameters) are compiled in as their numbers.
* Operators, loosest first: ``if c then a else b``; ``or``; ``and``; ``not``; comparisons ``< <= > >= == !=``
  (cannot be chained: write ``a < b and b < c``); ``+ -``; ``* / %``; unary ``- +``; power ``^`` (or ``**``),
  right-associative and tighter than a unary minus on its left, so ``-2^2`` is ``-4``. A bare
  ``if ... then ... else`` inside a larger expression must be parenthesised.
* Functions: ``min(a, b, ...)``, ``max(a, b, ...)``, ``clamp(x, lo, hi)``, ``abs``, ``floor``, ``ceil``,
  ``round``, ``sqrt``, ``if(cond, a, b)`` and ``lag(name, months)``.
* Types are ``num``, ``bool`` and ``str`` and never convert into each other: ``x and 1`` is an error.

Arithmetic never stops a game. The rules below are deliberate and rule authors rely on them:

* ``x / 0`` is ``0`` and ``x % 0`` is ``0``. Otherwise ``%`` takes the sign of the divisor (``-7 % 3`` is 2).
* ``^`` is computed in floating point. A negative base with a fractional exponent gives ``0`` (not a complex
  number), ``0 ^ -1`` gives ``0``, and a result too large to represent gives infinity.
* ``sqrt`` of a negative number is ``0``.
* ``round`` rounds halves away from zero (``round(2.5)`` is 3, ``round(-2.5)`` is -3).
* ``clamp(x, lo, hi)`` expects ``lo <= hi``; if not, ``x < lo`` gives ``lo`` and anything else gives ``hi``.
* ``if(c, a, b)``, ``if ... then ... else``, ``and`` and ``or`` only evaluate what they need.
* ``lag(name, k)`` is the value of ``name`` recorded ``round(k)`` months before the current month, read from
  the monthly history kept under the reserved environment key ``__history__``. Between months (orders, rules
  of the turn's steps, injects) the current month is the last one recorded, the history's last entry, so
  ``lag(x, 1)`` is the entry before it. While the months step models a month (its monthly rules and the flow,
  marked by the reserved key ``__month_open__``) that month is not recorded yet: the last entry is already
  one month back, so ``lag(x, 1)`` is that last entry. A history shorter than ``k`` gives its oldest entry;
  no history, or ``k <= 0``, gives the current value.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Final, Literal, NamedTuple, TypeAlias

from precursor.game.decimals import round4

__all__ = [
    "HISTORY_KEY",
    "MAX_DEPTH",
    "MONTH_OPEN_KEY",
    "Binary",
    "Bool",
    "Call",
    "Cond",
    "Expr",
    "ExprError",
    "Name",
    "Node",
    "Num",
    "Str",
    "Symbols",
    "Type",
    "Unary",
    "check",
    "compile_expr",
    "free_names",
    "parse",
]

Type = Literal["num", "bool", "str"]
Fn: TypeAlias = Callable[[Mapping[str, Any]], Any]

HISTORY_KEY: Final = "__history__"
# Present (True) while the months step models a month that the history does not hold yet: lag() then counts
# from that month, one entry past the history's end, instead of from the last recorded month.
MONTH_OPEN_KEY: Final = "__month_open__"
# The end-of-turn values of every numeric indicator, per indicator: mean.<id> is derived from them on read.
TURN_VALUES_KEY: Final = "__turn_values__"
# Deep enough for any hand-written rule, shallow enough that parsing, checking and the nested closures stay
# far from Python's recursion limit even when called from deep inside the engine.
MAX_DEPTH: Final = 100


class ExprError(Exception):
    """A problem in an expression, positioned so the rulebook loader can point the author at it.

    ``message`` is the bare explanation; ``str()`` adds ``at column N`` when the column is known (``column``
    is 1-based, 0 when the problem is not tied to one place).
    """

    def __init__(self, message: str, column: int = 0, text: str = "") -> None:
        super().__init__(message, column, text)
        self.message = message
        self.column = column
        self.text = text

    def __str__(self) -> str:
        return f"{self.message} at column {self.column}" if self.column else self.message


# ------------------------------------------------------------------ syntax tree
# ``col`` is excluded from equality so tests and tools can compare tree shapes without positions.


@dataclass(frozen=True, slots=True)
class Num:
    value: int | float
    col: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool
    col: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Str:
    value: str
    col: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    col: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-", "+" or "not"
    operand: Node
    col: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # "or" "and" "<" "<=" ">" ">=" "==" "!=" "+" "-" "*" "/" "%" "^" ("**" is stored as "^")
    left: Node
    right: Node
    col: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Cond:
    cond: Node
    then: Node
    orelse: Node
    col: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    args: tuple[Node, ...]
    col: int = field(default=0, compare=False)


Node: TypeAlias = Num | Bool | Str | Name | Unary | Binary | Cond | Call


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Cond):
        return (node.cond, node.then, node.orelse)
    if isinstance(node, Call):
        return node.args
    return ()


def free_names(node: Node) -> frozenset[str]:
    """Every name an expression may read, so callers can track dependencies and show a result's inputs."""
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Name):
            found.add(n.name)
        else:
            stack.extend(_children(n))
    return frozenset(found)


def _substitute(node: Node, constants: Mapping[str, int | float]) -> Node:
    """The tree with each named parameter replaced by its number, so it compiles, folds and runs
    exactly as the literal would."""
    if isinstance(node, Name):
        value = constants.get(node.name)
        return node if value is None else Num(value, node.col)
    if isinstance(node, Unary):
        return Unary(node.op, _substitute(node.operand, constants), node.col)
    if isinstance(node, Binary):
        return Binary(
            node.op, _substitute(node.left, constants), _substitute(node.right, constants), node.col
        )
    if isinstance(node, Cond):
        sub = [_substitute(c, constants) for c in (node.cond, node.then, node.orelse)]
        return Cond(sub[0], sub[1], sub[2], node.col)
    if isinstance(node, Call):
        return Call(node.func, tuple(_substitute(a, constants) for a in node.args), node.col)
    return node


def _depth(node: Node) -> int:
    # Iterative: long left-leaning chains like a+b+c+... are built by a loop, not by recursion.
    best = 0
    stack = [(node, 1)]
    while stack:
        n, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in _children(n))
    return best


# ------------------------------------------------------------------ tokens

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
    |(?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    |(?P<str>"[^"]*"|'[^']*')
    |(?P<op>\*\*|<=|>=|==|!=|[-+*/%^<>(),])
    |(?P<bad>&&|\|\||[=!&|])
    """,
    re.VERBOSE,
)
_KEYWORDS: Final = frozenset({"and", "or", "not", "if", "then", "else", "true", "false"})
_HINTS: Final = {
    "=": "'=' is not an operator (use '==' to compare)",
    "!": "use 'not' instead of '!'",
    "&": "use 'and' instead of '&'",
    "&&": "use 'and' instead of '&&'",
    "|": "use 'or' instead of '|'",
    "||": "use 'or' instead of '||'",
}
# Pratt binding powers. Unary minus parses its operand at 70 and `not` at 30, between the infix levels.
_LBP: Final = {
    "or": 10,
    "and": 20,
    "<": 40,
    "<=": 40,
    ">": 40,
    ">=": 40,
    "==": 40,
    "!=": 40,
    "+": 50,
    "-": 50,
    "*": 60,
    "/": 60,
    "%": 60,
    "^": 80,
    "**": 80,
}
_NOT_BP: Final = 30
_CMP_BP: Final = 40
_UNARY_BP: Final = 70
_POW_BP: Final = 80
_BIG_INT: Final = 2**53


class _Tok(NamedTuple):
    # a tuple rather than a frozen dataclass: a rulebook's expressions make thousands of tokens, and a
    # frozen dataclass costs twice as much to build (and half a millisecond more to define at import)
    kind: str  # "num" "str" "name" "kw" "op" "eof"
    text: str
    col: int
    value: Any = None


def _describe(tok: _Tok) -> str:
    if tok.kind == "eof":
        return "end of expression"
    if tok.kind == "name":
        return f"name '{tok.text}'"
    if tok.kind == "num":
        return f"number {tok.text}"
    if tok.kind == "str":
        return f"string {tok.text}"
    return f"'{tok.text}'"


def _tokenize(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos, n = 0, len(text)
    while pos < n:
        col = pos + 1
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            if ch in "\"'":
                raise ExprError("unterminated string", col, text)
            raise ExprError(f"unexpected character {ch!r}", col, text)
        kind, s, pos = m.lastgroup, m.group(), m.end()
        if kind == "ws":
            continue
        if kind == "bad":
            raise ExprError(_HINTS[s], col, text)
        if kind == "num":
            if pos < n and (text[pos].isalnum() or text[pos] in "_."):
                raise ExprError(f"malformed number starting '{s}{text[pos]}'", col, text)
            value: int | float
            try:
                value = int(s)
            except ValueError:  # a decimal point or exponent, or more digits than int() accepts
                value = float(s)
            if isinstance(value, int) and abs(value) >= _BIG_INT:
                value = float(value)  # keeps big-integer arithmetic (and its slowness) out of formulas
            out.append(_Tok("num", s, col, value))
        elif kind == "name":
            if pos < n and text[pos] == ".":
                raise ExprError(f"'{s}.' must be followed by a letter or '_'", pos + 1, text)
            out.append(_Tok("kw" if s in _KEYWORDS else "name", s, col))
        elif kind == "str":
            out.append(_Tok("str", s, col, s[1:-1]))
        else:
            out.append(_Tok("op", s, col))
    out.append(_Tok("eof", "", n + 1))
    return out


# ------------------------------------------------------------------ parser


class _Parser:
    """Pratt parser: one binding-power table instead of one function per precedence level keeps recursion
    shallow, which is what lets MAX_DEPTH be checked before Python's own limit is anywhere near."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.depth = 0

    def error(self, message: str, col: int) -> ExprError:
        return ExprError(message, col, self.text)

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def advance(self) -> _Tok:
        tok = self.toks[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def at(self, kind: str, text: str) -> bool:
        tok = self.toks[self.i]
        return tok.kind == kind and tok.text == text

    def lbp(self, tok: _Tok) -> int:
        return _LBP.get(tok.text, 0) if tok.kind in ("op", "kw") else 0

    def top(self) -> Node:
        if self.peek().kind == "eof":
            raise self.error("empty expression", 0)
        node = self.expr(0)
        tok = self.peek()
        if tok.kind != "eof":
            raise self.error(f"unexpected {_describe(tok)}", tok.col)
        # every node holds a token of its own, so a tree of no more tokens than MAX_DEPTH (all the rule
        # files' expressions) cannot be deeper: walking it to measure was a quarter of parsing
        if len(self.toks) - 1 > MAX_DEPTH and _depth(node) > MAX_DEPTH:
            raise self.error(f"expression is nested more than {MAX_DEPTH} levels deep", 0)
        return node

    def expr(self, rbp: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expression is nested more than {MAX_DEPTH} levels deep", self.peek().col)
        left = self.infix(self.prefix(self.advance(), rbp), rbp)
        self.depth -= 1
        return left

    def infix(self, left: Node, rbp: int) -> Node:
        while True:
            tok = self.peek()
            lbp = self.lbp(tok)
            if lbp <= rbp:
                return left
            self.advance()
            op = "^" if tok.text == "**" else tok.text
            right = self.expr(_POW_BP - 1 if lbp == _POW_BP else lbp)  # power is right-associative
            left = Binary(op, left, right, tok.col)
            if lbp == _CMP_BP and self.lbp(self.peek()) == _CMP_BP:
                nxt = self.peek()
                raise self.error(
                    f"comparisons cannot be chained; write 'a {op} b and b {nxt.text} c' instead", nxt.col
                )

    def prefix(self, tok: _Tok, rbp: int) -> Node:
        kind, text = tok.kind, tok.text
        if kind == "num":
            return Num(tok.value, tok.col)
        if kind == "str":
            return Str(tok.value, tok.col)
        if kind == "name":
            if self.at("op", "("):
                self.advance()
                return Call(text, self.args(), tok.col)
            return Name(text, tok.col)
        if kind == "kw":
            if text in ("true", "false"):
                return Bool(text == "true", tok.col)
            if text == "not":
                if rbp > _NOT_BP:
                    raise self.error("put 'not ...' in parentheses here", tok.col)
                return Unary("not", self.expr(_NOT_BP), tok.col)
            if text == "if":
                return self.conditional(tok, rbp)
        if kind == "op":
            if text == "(":
                inner = self.expr(0)
                self.close(tok)
                return inner
            if text in ("-", "+"):
                return Unary(text, self.expr(_UNARY_BP), tok.col)
        if kind == "eof":
            raise self.error("unexpected end of expression", tok.col)
        raise self.error(f"unexpected {_describe(tok)}", tok.col)

    def conditional(self, tok: _Tok, rbp: int) -> Node:
        # `if(c, a, b)` is a call, but `if (a > 1) then ...` starts a conditional whose condition merely opens
        # with a parenthesis; what follows the ')' tells them apart.
        cond: Node | None = None
        if self.at("op", "("):
            self.advance()
            args = self.args()
            nxt = self.peek()
            continues = (nxt.kind == "kw" and nxt.text == "then") or self.lbp(nxt) > 0
            if len(args) != 1 or not continues:
                return Call("if", args, tok.col)
            cond = args[0]
        if rbp > 0:
            raise self.error(
                "put 'if ... then ... else ...' in parentheses when it is part of a larger expression",
                tok.col,
            )
        cond = self.expr(0) if cond is None else self.infix(cond, 0)
        self.keyword("then", tok)
        then = self.expr(0)
        self.keyword("else", tok)
        return Cond(cond, then, self.expr(0), tok.col)

    def keyword(self, word: str, opener: _Tok) -> None:
        tok = self.advance()
        if tok.kind == "kw" and tok.text == word:
            return
        if tok.kind == "eof":
            raise self.error(f"the 'if' at column {opener.col} is missing '{word}'", tok.col)
        raise self.error(f"expected '{word}' but found {_describe(tok)}", tok.col)

    def close(self, opener: _Tok) -> None:
        tok = self.advance()
        if tok.kind == "op" and tok.text == ")":
            return
        if tok.kind == "eof":
            raise self.error(f"missing ')' to close the '(' at column {opener.col}", tok.col)
        raise self.error(f"expected ')' but found {_describe(tok)}", tok.col)

    def args(self) -> tuple[Node, ...]:
        opener = self.toks[self.i - 1]
        if self.at("op", ")"):
            self.advance()
            return ()
        args: list[Node] = []
        while True:
            args.append(self.expr(0))
            tok = self.advance()
            if tok.kind == "op" and tok.text == ",":
                continue
            if tok.kind == "op" and tok.text == ")":
                return tuple(args)
            if tok.kind == "eof":
                raise self.error(f"missing ')' to close the '(' at column {opener.col}", tok.col)
            raise self.error(f"expected ',' or ')' but found {_describe(tok)}", tok.col)


_PARSED_LIMIT: Final = 10_000
PARSED: Final[dict[str, Node]] = {}
"""Trees already parsed, by text. Trees are immutable, so one can serve every expression of that text;
a rulebook's load fills this from the trees an earlier process kept (precursor/game/rulebook/cache.py),
since parsing is two thirds of what compiling a rulebook's expressions costs."""


def parse(text: str) -> Node:
    """Syntax only, so tools can inspect rule text (e.g. list the names it reads) without a symbol table."""
    tree = PARSED.get(text)
    if tree is None:
        tree = _Parser(text).top()
        if len(PARSED) >= _PARSED_LIMIT:  # conditions written during play must not grow it forever
            PARSED.clear()
        PARSED[text] = tree
    return tree


# ------------------------------------------------------------------ symbols and type checking


@dataclass(frozen=True)
class Symbols:
    """What names an expression may read, and their types.

    ``prefixes`` lets one table serve derived families of names without listing each: with
    ``{"start.": "same"}``, ``start.mx.st`` is valid whenever ``mx.st`` is, with ``mx.st``'s type (give a type
    instead of ``"same"`` to force one). ``open_prefixes`` accepts any remainder, for names that are only
    known at run time. Treat a Symbols as immutable once built: compiled expressions are memoised on it.
    """

    names: Mapping[str, Type]
    prefixes: Mapping[str, Type | Literal["same"]] = field(default_factory=dict)
    open_prefixes: Mapping[str, Type] = field(default_factory=dict)
    # named parameters (``par.<id>``): numbers fixed for the whole rulebook, so they are compiled in as
    # literals, and the engine runs as fast as if the author had written the number
    constants: Mapping[str, int | float] = field(default_factory=dict)
    _cache: dict[tuple[Any, ...], Expr] = field(default_factory=dict, init=False, repr=False, compare=False)

    def lookup(self, name: str) -> Type | None:
        found = self.names.get(name)
        if found is not None:
            return found
        if name in self.constants:
            return "num"
        for prefix, ptype in self.prefixes.items():
            if name.startswith(prefix):
                rest = self.names.get(name[len(prefix) :])
                if rest is not None:
                    return rest if ptype == "same" else ptype
        for prefix, otype in self.open_prefixes.items():
            if name.startswith(prefix) and len(name) > len(prefix):
                return otype
        return None

    def suggest(self, name: str) -> str:
        options = [*self.names, *self.constants]
        for prefix in self.prefixes:
            if name.startswith(prefix):
                options.extend(prefix + n for n in self.names)
        return _did_you_mean(name, options)


def _did_you_mean(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# name -> (fewest args, most args or None for no limit)
_ARITY: Final[dict[str, tuple[int, int | None]]] = {
    "min": (2, None),
    "max": (2, None),
    "clamp": (3, 3),
    "abs": (1, 1),
    "floor": (1, 1),
    "ceil": (1, 1),
    "round": (1, 1),
    "sqrt": (1, 1),
    "if": (3, 3),
    "lag": (2, 2),
}
_ARITH: Final = frozenset({"+", "-", "*", "/", "%", "^"})
_ORDER: Final = frozenset({"<", "<=", ">", ">="})


def check(node: Node, symbols: Symbols) -> Type:
    """Type-check at rulebook load time so that evaluation never has to: returns the expression's type."""
    return _Checker(symbols, "").type_of(node)


class _Checker:
    def __init__(self, symbols: Symbols, text: str) -> None:
        self.symbols = symbols
        self.text = text

    def error(self, message: str, col: int) -> ExprError:
        return ExprError(message, col, self.text)

    def type_of(self, node: Node) -> Type:
        if isinstance(node, Num):
            return "num"
        if isinstance(node, Bool):
            return "bool"
        if isinstance(node, Str):
            return "str"
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Unary):
            t = self.type_of(node.operand)
            if node.op == "not":
                if t != "bool":
                    raise self.error(f"'not' needs a bool operand, got {t}", node.col)
                return "bool"
            if t != "num":
                raise self.error(f"unary '{node.op}' needs a num operand, got {t}", node.col)
            return "num"
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Cond):
            ct = self.type_of(node.cond)
            if ct != "bool":
                raise self.error(f"'if' needs a bool condition, got {ct}", node.cond.col)
            a, b = self.type_of(node.then), self.type_of(node.orelse)
            if a != b:
                raise self.error(f"'then' and 'else' must have the same type, got {a} and {b}", node.col)
            return a
        return self.call(node)

    def name(self, node: Name) -> Type:
        t = self.symbols.lookup(node.name)
        if t is None:
            raise self.error(f"unknown name '{node.name}'{self.symbols.suggest(node.name)}", node.col)
        return t

    def binary(self, node: Binary) -> Type:
        op = node.op
        lt, rt = self.type_of(node.left), self.type_of(node.right)
        if op in ("==", "!="):
            if lt != rt:
                raise self.error(f"'{op}' needs operands of the same type, got {lt} and {rt}", node.col)
            return "bool"
        want: Type = "bool" if op in ("and", "or") else "num"
        bad = lt if lt != want else rt
        if bad != want:
            raise self.error(f"'{op}' needs {want} operands, got {bad}", node.col)
        return "num" if op in _ARITH else "bool"

    def call(self, node: Call) -> Type:
        f, args = node.func, node.args
        if f not in _ARITY:
            raise self.error(f"unknown function '{f}'{_did_you_mean(f, list(_ARITY))}", node.col)
        lo, hi = _ARITY[f]
        if hi is None and len(args) < lo:
            raise self.error(f"{f}() takes at least {lo} arguments, got {len(args)}", node.col)
        if hi is not None and len(args) != lo:
            raise self.error(f"{f}() takes {lo} argument{'s' if lo != 1 else ''}, got {len(args)}", node.col)
        if f == "lag":
            target = args[0]
            if not isinstance(target, Name):
                raise self.error("lag() needs a name as its first argument, e.g. lag(mx.st, 3)", target.col)
            if target.name in self.symbols.constants and target.name not in self.symbols.names:
                raise self.error(
                    f"lag() needs a value that changes, '{target.name}' is a fixed parameter", target.col
                )
            t = self.name(target)
            if t != "num":
                raise self.error(f"lag() needs a num name, '{target.name}' is {t}", target.col)
            self.want(f, 2, args[1], "num")
            return "num"
        if f == "if":
            self.want(f, 1, args[0], "bool")
            a, b = self.type_of(args[1]), self.type_of(args[2])
            if a != b:
                raise self.error(f"if() arguments 2 and 3 must have the same type, got {a} and {b}", node.col)
            return a
        for i, arg in enumerate(args, 1):
            self.want(f, i, arg, "num")
        return "num"

    def want(self, f: str, i: int, arg: Node, want: Type) -> None:
        t = self.type_of(arg)
        if t != want:
            raise self.error(f"{f}() argument {i} must be {want}, got {t}", arg.col)


# ------------------------------------------------------------------ compiling to closures


def _zero(env: Mapping[str, Any]) -> Any:
    return 0.0


def _pow(a: Any, b: Any) -> Any:
    try:
        return math.pow(a, b)
    except ValueError:  # negative base with a fractional exponent, or 0 to a negative power
        return 0.0
    except OverflowError:
        odd = isinstance(b, int | float) and math.isfinite(b) and float(b).is_integer() and int(b) % 2 == 1
        return -math.inf if a < 0 and odd else math.inf


def _sqrt(x: Any) -> Any:
    return math.sqrt(x) if x > 0 else 0.0


_FLOAT_EXACT: Final = 2.0**52  # every float at least this large is already a whole number


def _floor(x: Any) -> Any:
    if isinstance(x, int) or not -_FLOAT_EXACT < x < _FLOAT_EXACT:  # ints, huge values, inf and nan as-is
        return x
    return math.floor(x)


def _ceil(x: Any) -> Any:
    if isinstance(x, int) or not -_FLOAT_EXACT < x < _FLOAT_EXACT:
        return x
    return math.ceil(x)


def _round(x: Any) -> Any:
    # Not floor(x + 0.5): that rounds 0.49999999999999994 up because the addition itself rounds.
    if isinstance(x, int) or not -_FLOAT_EXACT < x < _FLOAT_EXACT:
        return x
    r = math.floor(x)
    d = x - r
    if d > 0.5 or (d == 0.5 and x > 0):
        return r + 1
    return r


# Each binary operator has three closure shapes: both sides computed, right side constant, left side constant.
# Specialising constants away saves a call per node, and most formulas are full of literals.
_Shapes: TypeAlias = tuple[Callable[[Fn, Fn], Fn], Callable[[Fn, Any], Fn], Callable[[Any, Fn], Fn]]


def _binary_shapes() -> dict[str, _Shapes]:
    """Built in a function: mypyc (setup.py) cannot compile lambdas that return lambdas at module level."""
    return {
        "+": (
            lambda f, g: lambda e: f(e) + g(e),
            lambda f, c: lambda e: f(e) + c,
            lambda c, g: lambda e: c + g(e),
        ),
        "-": (
            lambda f, g: lambda e: f(e) - g(e),
            lambda f, c: lambda e: f(e) - c,
            lambda c, g: lambda e: c - g(e),
        ),
        "*": (
            lambda f, g: lambda e: f(e) * g(e),
            lambda f, c: lambda e: f(e) * c,
            lambda c, g: lambda e: c * g(e),
        ),
        "/": (
            lambda f, g: lambda e: f(e) / d if (d := g(e)) else 0.0,
            lambda f, c: (lambda e: f(e) / c) if c else _zero,
            lambda c, g: lambda e: c / d if (d := g(e)) else 0.0,
        ),
        "%": (
            lambda f, g: lambda e: f(e) % d if (d := g(e)) else 0.0,
            lambda f, c: (lambda e: f(e) % c) if c else _zero,
            lambda c, g: lambda e: c % d if (d := g(e)) else 0.0,
        ),
        "^": (
            lambda f, g: lambda e: _pow(f(e), g(e)),
            lambda f, c: lambda e: _pow(f(e), c),
            lambda c, g: lambda e: _pow(c, g(e)),
        ),
        "<": (
            lambda f, g: lambda e: f(e) < g(e),
            lambda f, c: lambda e: f(e) < c,
            lambda c, g: lambda e: c < g(e),
        ),
        "<=": (
            lambda f, g: lambda e: f(e) <= g(e),
            lambda f, c: lambda e: f(e) <= c,
            lambda c, g: lambda e: c <= g(e),
        ),
        ">": (
            lambda f, g: lambda e: f(e) > g(e),
            lambda f, c: lambda e: f(e) > c,
            lambda c, g: lambda e: c > g(e),
        ),
        ">=": (
            lambda f, g: lambda e: f(e) >= g(e),
            lambda f, c: lambda e: f(e) >= c,
            lambda c, g: lambda e: c >= g(e),
        ),
        "==": (
            lambda f, g: lambda e: f(e) == g(e),
            lambda f, c: lambda e: f(e) == c,
            lambda c, g: lambda e: c == g(e),
        ),
        "!=": (
            lambda f, g: lambda e: f(e) != g(e),
            lambda f, c: lambda e: f(e) != c,
            lambda c, g: lambda e: c != g(e),
        ),
        "and": (
            lambda f, g: lambda e: f(e) and g(e),
            lambda f, c: lambda e: f(e) and c,
            lambda c, g: lambda e: c and g(e),
        ),
        "or": (
            lambda f, g: lambda e: f(e) or g(e),
            lambda f, c: lambda e: f(e) or c,
            lambda c, g: lambda e: c or g(e),
        ),
    }


_BINARY: Final[dict[str, _Shapes]] = _binary_shapes()
# The same shapes again where a side is a plain name: reading ``e[name]`` inline saves a call per node, and
# more than half the operands in the rulebook are names (``x >= 3``, ``a - b``, ``0.5 * x``). The order of
# evaluation and the division guard are those of the general shapes above.
_NamedShapes: TypeAlias = tuple[
    Callable[[str, Any], Fn],  # name op constant
    Callable[[Any, str], Fn],  # constant op name
    Callable[[str, str], Fn],  # name op name
    Callable[[str, Fn], Fn],  # name op computed
    Callable[[Fn, str], Fn],  # computed op name
]


def _named_shapes() -> dict[str, _NamedShapes]:
    """Built in a function, as ``_binary_shapes`` is."""
    return {
        "+": (
            lambda n, c: lambda e: e[n] + c,
            lambda c, n: lambda e: c + e[n],
            lambda n, m: lambda e: e[n] + e[m],
            lambda n, g: lambda e: e[n] + g(e),
            lambda f, n: lambda e: f(e) + e[n],
        ),
        "-": (
            lambda n, c: lambda e: e[n] - c,
            lambda c, n: lambda e: c - e[n],
            lambda n, m: lambda e: e[n] - e[m],
            lambda n, g: lambda e: e[n] - g(e),
            lambda f, n: lambda e: f(e) - e[n],
        ),
        "*": (
            lambda n, c: lambda e: e[n] * c,
            lambda c, n: lambda e: c * e[n],
            lambda n, m: lambda e: e[n] * e[m],
            lambda n, g: lambda e: e[n] * g(e),
            lambda f, n: lambda e: f(e) * e[n],
        ),
        "/": (
            lambda n, c: (lambda e: e[n] / c) if c else _zero,
            lambda c, n: lambda e: c / d if (d := e[n]) else 0.0,
            lambda n, m: lambda e: e[n] / d if (d := e[m]) else 0.0,
            lambda n, g: lambda e: e[n] / d if (d := g(e)) else 0.0,
            lambda f, n: lambda e: f(e) / d if (d := e[n]) else 0.0,
        ),
        "<": (
            lambda n, c: lambda e: e[n] < c,
            lambda c, n: lambda e: c < e[n],
            lambda n, m: lambda e: e[n] < e[m],
            lambda n, g: lambda e: e[n] < g(e),
            lambda f, n: lambda e: f(e) < e[n],
        ),
        "<=": (
            lambda n, c: lambda e: e[n] <= c,
            lambda c, n: lambda e: c <= e[n],
            lambda n, m: lambda e: e[n] <= e[m],
            lambda n, g: lambda e: e[n] <= g(e),
            lambda f, n: lambda e: f(e) <= e[n],
        ),
        ">": (
            lambda n, c: lambda e: e[n] > c,
            lambda c, n: lambda e: c > e[n],
            lambda n, m: lambda e: e[n] > e[m],
            lambda n, g: lambda e: e[n] > g(e),
            lambda f, n: lambda e: f(e) > e[n],
        ),
        ">=": (
            lambda n, c: lambda e: e[n] >= c,
            lambda c, n: lambda e: c >= e[n],
            lambda n, m: lambda e: e[n] >= e[m],
            lambda n, g: lambda e: e[n] >= g(e),
            lambda f, n: lambda e: f(e) >= e[n],
        ),
        "==": (
            lambda n, c: lambda e: e[n] == c,
            lambda c, n: lambda e: c == e[n],
            lambda n, m: lambda e: e[n] == e[m],
            lambda n, g: lambda e: e[n] == g(e),
            lambda f, n: lambda e: f(e) == e[n],
        ),
        "!=": (
            lambda n, c: lambda e: e[n] != c,
            lambda c, n: lambda e: c != e[n],
            lambda n, m: lambda e: e[n] != e[m],
            lambda n, g: lambda e: e[n] != g(e),
            lambda f, n: lambda e: f(e) != e[n],
        ),
        "and": (
            lambda n, c: lambda e: e[n] and c,
            lambda c, n: lambda e: c and e[n],
            lambda n, m: lambda e: e[n] and e[m],
            lambda n, g: lambda e: e[n] and g(e),
            lambda f, n: lambda e: f(e) and e[n],
        ),
        "or": (
            lambda n, c: lambda e: e[n] or c,
            lambda c, n: lambda e: c or e[n],
            lambda n, m: lambda e: e[n] or e[m],
            lambda n, g: lambda e: e[n] or g(e),
            lambda f, n: lambda e: f(e) or e[n],
        ),
    }


_NAMED: Final[dict[str, _NamedShapes]] = _named_shapes()
_UNARY_FN: Final[dict[str, Callable[[Any], Any]]] = {
    "abs": abs,
    "floor": _floor,
    "ceil": _ceil,
    "round": _round,
    "sqrt": _sqrt,
}


@dataclass(frozen=True, slots=True)
class _Code:
    fn: Fn
    const: bool = False
    value: Any = None
    name: str | None = None  # set when the code only reads one name


def _constant(value: Any) -> _Code:
    return _Code(lambda e: value, True, value)


def _fold(fn: Fn) -> _Code:
    """Evaluate a literal-only subtree now; if its arithmetic cannot be done at all, leave it to run time."""
    try:
        return _constant(fn({}))
    except (ArithmeticError, ValueError):
        return _Code(fn)


def _compile(node: Node) -> _Code:
    if isinstance(node, Num | Bool | Str):
        return _constant(node.value)
    if isinstance(node, Name):
        if node.name.startswith("mean."):
            return _Code(_mean(node.name))
        return _Code(itemgetter(node.name), name=node.name)
    if isinstance(node, Unary):
        x = _compile(node.operand)
        if node.op == "+":
            return x
        f = x.fn
        fn: Fn = (lambda e: not f(e)) if node.op == "not" else (lambda e: -f(e))
        return _fold(fn) if x.const else _Code(fn)
    if isinstance(node, Binary):
        return _binary(node.op, _compile(node.left), _compile(node.right))
    if isinstance(node, Cond):
        return _choose(_compile(node.cond), _compile(node.then), _compile(node.orelse))
    return _call(node)


def _binary(op: str, a: _Code, b: _Code) -> _Code:
    both, right_const, left_const = _BINARY[op]
    if a.const and b.const:
        return _fold(both(a.fn, b.fn))
    if a.const and op in ("and", "or"):
        # `true and x` is just x and `true or x` is just true: the constant side decides the shape.
        return b if bool(a.value) == (op == "and") else _constant(a.value)
    named = _NAMED.get(op)
    if named is not None and (a.name is not None or b.name is not None):
        name_const, const_name, name_name, name_fn, fn_name = named
        if a.name is not None and b.name is not None:
            return _Code(name_name(a.name, b.name))
        if a.name is not None:
            return _Code(name_const(a.name, b.value) if b.const else name_fn(a.name, b.fn))
        assert b.name is not None
        return _Code(const_name(a.value, b.name) if a.const else fn_name(a.fn, b.name))
    if a.const:
        return _Code(left_const(a.value, b.fn))
    if b.const:
        return _Code(right_const(a.fn, b.value))
    return _Code(both(a.fn, b.fn))


def _choose(c: _Code, a: _Code, b: _Code) -> _Code:
    if c.const:
        return a if c.value else b
    fc, fa, fb = c.fn, a.fn, b.fn
    # constant branches (``if x then 1.05 else 1``) are returned, not called
    va, vb = a.value, b.value
    if a.const and b.const:
        return _Code(lambda e: va if fc(e) else vb)
    if a.const:
        return _Code(lambda e: va if fc(e) else fb(e))
    if b.const:
        return _Code(lambda e: fa(e) if fc(e) else vb)
    return _Code(lambda e: fa(e) if fc(e) else fb(e))


def _call(node: Call) -> _Code:
    f = node.func
    if f == "lag":
        target = node.args[0]
        assert isinstance(target, Name)  # guaranteed by check()
        return _Code(_lag(target.name, _compile(node.args[1]).fn))
    codes = [_compile(a) for a in node.args]
    if f == "if":
        return _choose(*codes)
    fns = [c.fn for c in codes]
    fn: Fn
    if f in _UNARY_FN:
        h, g = _UNARY_FN[f], fns[0]
        fn = lambda e: h(g(e))  # noqa: E731
    elif f == "clamp":
        fn = _clamp(codes)
    elif len(fns) == 2:
        x, y = fns
        cx, cy = codes[0].value, codes[1].value
        # min(x, y) is x unless y is smaller (Python's rule for ties and nan); a constant side (``max(0, v)``,
        # the commonest call in the rulebook) is compared directly instead of being called
        if f == "min":
            if codes[0].const:
                fn = lambda e: b if (b := y(e)) < cx else cx  # noqa: E731
            elif codes[1].const:
                fn = lambda e: cy if cy < (a := x(e)) else a  # noqa: E731
            else:
                fn = lambda e: b if (b := y(e)) < (a := x(e)) else a  # noqa: E731
        elif codes[0].const:
            fn = lambda e: b if (b := y(e)) > cx else cx  # noqa: E731
        elif codes[1].const:
            fn = lambda e: cy if cy > (a := x(e)) else a  # noqa: E731
        else:
            fn = lambda e: b if (b := y(e)) > (a := x(e)) else a  # noqa: E731
    else:
        pick = min if f == "min" else max
        fn = lambda e: pick([g(e) for g in fns])  # noqa: E731
    return _fold(fn) if all(c.const for c in codes) else _Code(fn)


def _clamp(codes: list[_Code]) -> Fn:
    x, lo, hi = codes
    f = x.fn
    if lo.const and hi.const:
        a, b = lo.value, hi.value
        return lambda e: a if (v := f(e)) < a else b if v > b else v
    fa, fb = lo.fn, hi.fn
    # its own names: mypyc (setup.py) would take `a` and `b` for the ones of the branch above
    return lambda e: low if (v := f(e)) < (low := fa(e)) else high if v > (high := fb(e)) else v


def _lag(name: str, months: Fn) -> Fn:
    def lag(env: Mapping[str, Any]) -> Any:
        k = months(env)
        if not k > 0:  # also catches nan
            return env[name]
        history = env.get(HISTORY_KEY)
        series = history.get(name) if history else None
        if not series:
            return env[name]
        n = _round(k)
        if n <= 0:
            return env[name]
        back = n - 1 if MONTH_OPEN_KEY in env else n  # entries back from the last recorded one
        if back >= len(series):
            return series[0]
        return series[-1 - back]

    return lag


def running_mean(env: Mapping[str, Any], name: str) -> Any:
    """``mean.<id>``: the mean of the indicator's end-of-turn values so far, each step rounded to four
    decimals as a stored value is; before the first turn ends, the value the environment starts with.

    Derived when read rather than kept up to date in the fold: expressions read one or two of the hundred
    and twenty means, and updating them all at every turn's end was a tenth of a busy game's adjudication.
    An environment without turn values (a bot's, built from its view) holds the means themselves.
    """
    values = env.get(TURN_VALUES_KEY)
    series = values.get(name[5:]) if values else None
    if not series:
        return env[name]
    it = iter(series)
    m = next(it)
    n = 1
    for v in it:
        n += 1
        m = round4((m * (n - 1) + v) / n)
    return m


def _mean(name: str) -> Fn:
    return lambda env: running_mean(env, name)


# ------------------------------------------------------------------ public entry point


@dataclass(frozen=True, slots=True)
class Expr:
    """A checked, compiled expression. ``fn`` can be called directly to skip one level of indirection."""

    text: str
    type: Type
    names: frozenset[str]  # what the expression reads from the environment
    fn: Fn
    params: frozenset[str] = frozenset()  # the named parameters (``par.<id>``) compiled into it

    def __call__(self, env: Mapping[str, Any]) -> Any:
        return self.fn(env)

    def __deepcopy__(self, memo: dict[int, Any]) -> Expr:
        # immutable; and a compiled closure (setup.py) cannot be copied the way a Python function is shared
        return self


_EXPECTED: Final[dict[str, str]] = {"bool": "a bool condition", "num": "a number", "str": "a string"}
_CACHE_LIMIT: Final = 10_000


def compile_expr(text: object, symbols: Symbols, expect: Type | None = None) -> Expr:
    """Parse, check and compile in one step; YAML numbers and booleans are accepted as constants.

    Results are memoised per ``symbols`` because conditions written during play are compiled at run time,
    often repeatedly, while the same few strings recur.
    """
    if not isinstance(text, str | int | float):  # YAML can hand over lists, dicts or None
        raise ExprError(f"expected an expression (text or number), got {type(text).__name__}")
    key = (type(text), text, expect)
    cache = symbols._cache
    hit = cache.get(key)
    if hit is not None:
        return hit
    if isinstance(text, bool):
        result = Expr("true" if text else "false", "bool", frozenset(), _constant(text).fn)
    elif isinstance(text, int | float):
        result = Expr(str(text), "num", frozenset(), _constant(text).fn)
    else:
        node = parse(text)
        t = _Checker(symbols, text).type_of(node)
        names = free_names(node)
        params = frozenset(n for n in names if n in symbols.constants and n not in symbols.names)
        if params:
            node = _substitute(node, symbols.constants)
        result = Expr(text, t, names - params, _compile(node).fn, params)
    if expect is not None and result.type != expect:
        raise ExprError(f"expected {_EXPECTED[expect]}, got {result.type}", 0, result.text)
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = result
    return result
