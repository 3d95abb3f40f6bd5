"""Tests for the rule expression language: syntax, typing, evaluation semantics and robustness."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from precursor.game.expr import (
    MAX_DEPTH,
    Binary,
    Bool,
    Call,
    Cond,
    Expr,
    ExprError,
    Name,
    Num,
    Str,
    Symbols,
    Unary,
    check,
    compile_expr,
    free_names,
    parse,
)

NAMES: dict[str, Any] = {
    "a": "num",
    "b": "num",
    "c": "num",
    "x": "num",
    "zero": "num",
    "missing": "num",
    "mx.st": "num",
    "mx.me": "num",
    "mx.dependence": "num",
    "migration.push": "num",
    "flow.street": "num",
    "flag.hrl": "bool",
    "p": "bool",
    "q": "bool",
    "missing_b": "bool",
    "param.mode": "str",
}
SYMS = Symbols(NAMES, prefixes={"start.": "same", "mean.": "num"}, open_prefixes={"ctx.": "num"})
ENV: dict[str, Any] = {
    "a": 3,
    "b": -7,
    "c": 12,
    "x": 2.5,
    "zero": 0,
    "mx.st": 61,
    "mx.me": 40.0,
    "mx.dependence": 0.5,
    "migration.push": 1.2,
    "flow.street": 50.0,
    "flag.hrl": False,
    "p": True,
    "q": False,
    "param.mode": "hard",
    "start.mx.me": 30.0,
    "start.flow.street": 40.0,
    "start.flag.hrl": True,
    "mean.mx.st": 55.0,
    "ctx.anything": 9,
}
# "missing" and "missing_b" are declared but deliberately absent from ENV: reading them raises KeyError.


def run(text: str, env: dict[str, Any] | None = None, symbols: Symbols = SYMS) -> Any:
    return compile_expr(text, symbols)(ENV if env is None else env)


def error_of(text: str, expect: Any = None, symbols: Symbols = SYMS) -> ExprError:
    with pytest.raises(ExprError) as info:
        compile_expr(text, symbols, expect)
    return info.value


# ------------------------------------------------------------------ precedence and associativity


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("1 + 2 * 3", Binary("+", Num(1), Binary("*", Num(2), Num(3)))),
        ("1 - 2 - 3", Binary("-", Binary("-", Num(1), Num(2)), Num(3))),
        ("8 / 4 / 2", Binary("/", Binary("/", Num(8), Num(4)), Num(2))),
        ("2 ^ 3 ^ 2", Binary("^", Num(2), Binary("^", Num(3), Num(2)))),
        ("2 ** 3", Binary("^", Num(2), Num(3))),
        ("-2 ^ 2", Unary("-", Binary("^", Num(2), Num(2)))),
        ("2 ^ -1", Binary("^", Num(2), Unary("-", Num(1)))),
        ("-a * b", Binary("*", Unary("-", Name("a")), Name("b"))),
        ("a + b < c * 2", Binary("<", Binary("+", Name("a"), Name("b")), Binary("*", Name("c"), Num(2)))),
        ("not p and q", Binary("and", Unary("not", Name("p")), Name("q"))),
        ("not a == b", Unary("not", Binary("==", Name("a"), Name("b")))),
        ("p or q and p", Binary("or", Name("p"), Binary("and", Name("q"), Name("p")))),
        ("not not p", Unary("not", Unary("not", Name("p")))),
        ("(1 + 2) * 3", Binary("*", Binary("+", Num(1), Num(2)), Num(3))),
        ("mx.st", Name("mx.st")),
        ("flag.if", Name("flag.if")),  # keywords are only keywords as whole words
        ("'hard'", Str("hard")),
        ('"hard"', Str("hard")),
        ("true", Bool(True)),
        (
            "if p then 1 else if q then 2 else 3",
            Cond(Name("p"), Num(1), Cond(Name("q"), Num(2), Num(3))),
        ),
        ("if p then 1 else 2 + 3", Cond(Name("p"), Num(1), Binary("+", Num(2), Num(3)))),
        ("if(p, 1, 2)", Call("if", (Name("p"), Num(1), Num(2)))),
        ("if (p) then 1 else 2", Cond(Name("p"), Num(1), Num(2))),
        (
            "if (a > 1) and p then 1 else 2",
            Cond(Binary("and", Binary(">", Name("a"), Num(1)), Name("p")), Num(1), Num(2)),
        ),
        (
            "if (a) + 1 > 2 then 1 else 0",
            Cond(Binary(">", Binary("+", Name("a"), Num(1)), Num(2)), Num(1), Num(0)),
        ),
        ("min(a, b, 3)", Call("min", (Name("a"), Name("b"), Num(3)))),
        ("f()", Call("f", ())),
    ],
)
def test_parse_tree(text: str, tree: Any) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 + 2 * 3", 7),
        ("7 - 2 + 1", 6),
        ("2 * 3 % 4", 2),
        ("10 % 3 * 2", 2),
        ("2 ^ 3 ^ 2", 512),
        ("2 ** 3 ** 2", 512),
        ("-2 ^ 2", -4),
        ("(-2) ^ 2", 4),
        ("2 ^ -1", 0.5),
        ("-a * b", 21),
        ("- - a", 3),
        ("+a", 3),
        ("12 / 4 / 3", 1),
        ("-7 % 3", 2),
    ],
)
def test_arithmetic_precedence_values(text: str, value: float) -> None:
    assert run(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("not p and q", False),
        ("not (p and q)", True),
        ("p or q and false", True),
        ("(p or q) and false", False),
        ("not a == b", True),
        ("a < b or c > b", True),
        ("mx.st >= 60 and not flag.hrl", True),
        ("param.mode == 'hard'", True),
        ('param.mode != "hard"', False),
        ("p == (not q)", True),
    ],
)
def test_boolean_precedence_values(text: str, value: bool) -> None:
    assert run(text) is value


@pytest.mark.parametrize(
    ("text", "value"),
    [(".5", 0.5), ("1e3", 1000.0), ("1.5e-2", 0.015), ("12.", 12.0), ("007", 7), ("2E2", 200.0)],
)
def test_number_literals(text: str, value: float) -> None:
    assert parse(text) == Num(value)


def test_huge_integer_literal_becomes_float() -> None:
    node = parse("9" * 30)
    assert isinstance(node, Num) and isinstance(node.value, float)


def test_conditionals_evaluate_and_nest() -> None:
    assert run("if p then 1 else if q then 2 else 3") == 1
    assert run("if q then 1 else if p then 2 else 3") == 2
    assert run("if q then 1 else 2 + 3") == 5
    assert run("(if q then 1 else 2) + 3") == 5
    assert run("if a > 1 then 'big' else 'small'") == "big"
    assert run("if (a > 1) and q then 1 else 2") == 2


def test_columns_point_at_the_operator() -> None:
    node = parse("a  +  b * c")
    assert isinstance(node, Binary) and node.col == 4
    assert isinstance(node.right, Binary) and node.right.col == 9
    assert isinstance(node.left, Name) and node.left.col == 1


# ------------------------------------------------------------------ syntax errors


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("clamp(a, 1, 2))", "unexpected ')'", 15),
        ("", "empty expression", 0),
        ("   ", "empty expression", 0),
        ("1 +", "unexpected end of expression", 4),
        ("(1 + 2", "missing ')' to close the '(' at column 1", 7),
        ("min(1, 2", "missing ')' to close the '(' at column 4", 9),
        ("min(1 2)", "expected ',' or ')' but found number 2", 7),
        ("min(1, )", "unexpected ')'", 8),
        ("(1 2)", "expected ')' but found number 2", 4),
        ("a b", "unexpected name 'b'", 3),
        ("a < b < c", "comparisons cannot be chained", 7),
        ("a == b == c", "comparisons cannot be chained", 8),
        ("a = 1", "'=' is not an operator (use '==' to compare)", 3),
        ("!p", "use 'not' instead of '!'", 1),
        ("p && q", "use 'and' instead of '&&'", 3),
        ("p || q", "use 'or' instead of '||'", 3),
        ("a $ b", "unexpected character '$'", 3),
        ("'open", "unterminated string", 1),
        ("12abc", "malformed number", 1),
        ("1.2.3", "malformed number", 1),
        ("mx.", "'mx.' must be followed by a letter or '_'", 3),
        ("mx.2", "'mx.' must be followed by a letter or '_'", 3),
        ("then", "unexpected 'then'", 1),
        ("p and", "unexpected end of expression", 6),
        ("if p then 1", "the 'if' at column 1 is missing 'else'", 12),
        ("if p 1 else 2", "expected 'then' but found number 1", 6),
        ("1 + if p then 1 else 2", "put 'if ... then ... else ...' in parentheses", 5),
        ("p == not q", "put 'not ...' in parentheses here", 6),
        ("if (a) + 1", "the 'if' at column 1 is missing 'then'", 11),
    ],
)
def test_syntax_errors(text: str, message: str, column: int) -> None:
    with pytest.raises(ExprError) as info:
        parse(text)
    assert message in info.value.message
    assert info.value.column == column
    assert info.value.text == text


def test_error_str_includes_column() -> None:
    with pytest.raises(ExprError) as info:
        parse("clamp(a, 1, 2))")
    assert str(info.value) == "unexpected ')' at column 15"
    assert info.value.message == "unexpected ')'"
    assert str(ExprError("no position")) == "no position"


def test_deep_nesting_is_an_expr_error_not_a_crash() -> None:
    with pytest.raises(ExprError, match="nested more than"):
        parse("(" * 5000 + "1" + ")" * 5000)
    with pytest.raises(ExprError, match="nested more than"):
        parse("-" * 5000 + "1")
    with pytest.raises(ExprError, match="nested more than"):
        parse(" + ".join(["1"] * 1000))  # left-leaning chain built by a loop, not recursion
    assert run(" + ".join(["1"] * (MAX_DEPTH - 1))) == MAX_DEPTH - 1


# ------------------------------------------------------------------ built-in functions


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("min(a, b)", -7),
        ("min(b, a)", -7),
        ("min(4, 2, 8, 3)", 2),
        ("min(a, c, x)", 2.5),
        ("max(a, b)", 3),
        ("max(4, 2, 8, 3)", 8),
        ("max(a, c, x)", 12),
        ("clamp(c, 0, 10)", 10),
        ("clamp(b, 0, 10)", 0),
        ("clamp(a, 0, 10)", 3),
        ("clamp(a, b, x)", 2.5),
        ("clamp(a, c, 20)", 12),
        ("clamp(a, 5, 1)", 5),  # lo > hi: below lo gives lo
        ("clamp(c, 5, 1)", 1),  # lo > hi: anything else gives hi
        ("abs(b)", 7),
        ("abs(x)", 2.5),
        ("floor(x)", 2),
        ("floor(-x)", -3),
        ("floor(a)", 3),
        ("ceil(x)", 3),
        ("ceil(-x)", -2),
        ("round(x)", 3),
        ("round(-x)", -3),
        ("round(2.4)", 2),
        ("round(-2.6)", -3),
        ("round(0.49999999999999994)", 0),
        ("sqrt(16)", 4),
        ("sqrt(x * 0 + 2.25)", 1.5),
        ("sqrt(b)", 0),
        ("if(p, a, b)", 3),
        ("if(q, a, b)", -7),
        ("if(a > 1, 'yes', 'no')", "yes"),
    ],
)
def test_builtins(text: str, value: Any) -> None:
    assert run(text) == value


def test_rounding_functions_leave_non_finite_values_alone() -> None:
    env = {**ENV, "x": math.inf}
    assert run("floor(x)", env) == math.inf
    assert run("round(-x)", env) == -math.inf
    assert math.isnan(run("ceil(x - x)", env))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5 / 0", 0),
        ("a / zero", 0),
        ("a / (c - c)", 0),
        ("0 / 0", 0),
        ("5 % 0", 0),
        ("a % zero", 0),
        ("10 / zero + 1", 1),
        ("zero / a", 0),
        ("7 / 2", 3.5),
        ("c / a", 4),
    ],
)
def test_division_by_zero_is_zero(text: str, value: float) -> None:
    assert run(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("(-8) ^ 0.5", 0.0),
        ("b ^ 0.5", 0.0),
        ("0 ^ -1", 0.0),
        ("zero ^ -1", 0.0),
        ("10 ^ 400", math.inf),
        ("(-10) ^ 401", -math.inf),
        ("(-10) ^ 400", math.inf),
        ("(-2) ^ 3", -8.0),
        ("4 ^ 0.5", 2.0),
    ],
)
def test_power_edge_cases(text: str, value: float) -> None:
    assert run(text) == value


def test_lazy_branches_do_not_evaluate_the_other_side() -> None:
    # "missing" is a declared num absent from ENV, so evaluating it would raise KeyError.
    assert run("if(p, a, missing)") == 3
    assert run("if(q, missing, a)") == 3
    assert run("if p then a else missing") == 3
    assert run("if q then missing else a") == 3
    assert run("q and missing_b") is False
    assert run("p or missing_b") is True
    assert run("if(a > 0, 1, missing / 0)") == 1
    with pytest.raises(KeyError):
        run("if(q, a, missing)")


def test_worked_formula() -> None:
    text = "clamp(100 * migration.push * (1 - mx.dependence * (mx.me - start.mx.me) / 100), 20, 250)"
    expr = compile_expr(text, SYMS, "num")
    assert expr(ENV) == pytest.approx(100 * 1.2 * (1 - 0.5 * 10 / 100))
    assert expr({**ENV, "migration.push": 9.0}) == 250
    assert expr({**ENV, "migration.push": 0.0}) == 20
    assert expr.names == {"migration.push", "mx.dependence", "mx.me", "start.mx.me"}


# ------------------------------------------------------------------ lag


def lag_env(history: Any, **extra: Any) -> dict[str, Any]:
    env: dict[str, Any] = {**ENV, "flow.street": 50.0, **extra}
    if history is not None:
        env["__history__"] = history
    return env


@pytest.mark.parametrize(
    ("months", "value"),
    [
        ("0", 50.0),
        ("-2", 50.0),
        ("1", 40.0),
        ("3", 20.0),
        ("2.6", 20.0),
        ("0.4", 50.0),
        ("4", 10.0),
        ("40", 10.0),
    ],
)
def test_lag_reads_history(months: str, value: float) -> None:
    env = lag_env({"flow.street": [10.0, 20.0, 30.0, 40.0, 50.0]})
    assert run(f"lag(flow.street, {months})", env) == value


@pytest.mark.parametrize(
    ("months", "value"),
    [("0", 55.0), ("-2", 55.0), ("0.4", 55.0), ("1", 50.0), ("3", 30.0), ("5", 10.0), ("40", 10.0)],
)
def test_lag_in_an_open_month_counts_from_that_month(months: str, value: float) -> None:
    # The month being modelled (its value so far: 55) is not recorded yet: the last entry (50) is already one
    # month back, so a three-month lag reads the third entry from the end, not the fourth.
    history = {"flow.street": [10.0, 20.0, 30.0, 40.0, 50.0]}
    env = lag_env(history, **{"flow.street": 55.0, "__month_open__": True})
    assert run(f"lag(flow.street, {months})", env) == value


def test_lag_without_history_uses_current_value() -> None:
    assert run("lag(flow.street, 3)", lag_env(None)) == 50.0
    assert run("lag(flow.street, 3)", lag_env({})) == 50.0
    assert run("lag(flow.street, 3)", lag_env({"flow.street": []})) == 50.0
    assert run("lag(flow.street, 3)", lag_env({"mx.st": [1.0, 2.0]})) == 50.0


def test_lag_months_can_be_an_expression_and_lag_combines() -> None:
    env = lag_env({"flow.street": [10.0, 20.0, 30.0, 40.0, 50.0]})
    assert run("lag(flow.street, a) / start.flow.street", env) == 0.5
    assert run("lag(flow.street, a - 2) - lag(flow.street, 0)", env) == -10.0
    assert run("lag(flow.street, zero / zero)", env) == 50.0


def test_lag_name_counts_as_read() -> None:
    expr = compile_expr("lag(flow.street, 3) / start.flow.street", SYMS)
    assert expr.names == {"flow.street", "start.flow.street"}
    assert free_names(parse("lag(flow.street, a)")) == {"flow.street", "a"}


# ------------------------------------------------------------------ type errors


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("mx.st and flag.hrl", "'and' needs bool operands, got num", 7),
        ("p or 1", "'or' needs bool operands, got num", 3),
        ("not a", "'not' needs a bool operand, got num", 1),
        ("1 + p", "'+' needs num operands, got bool", 3),
        ("a * param.mode", "'*' needs num operands, got str", 3),
        ("'x' - 1", "'-' needs num operands, got str", 5),
        ("-p", "unary '-' needs a num operand, got bool", 1),
        ("p < 1", "'<' needs num operands, got bool", 3),
        ("a >= 'x'", "'>=' needs num operands, got str", 3),
        ("a == p", "'==' needs operands of the same type, got num and bool", 3),
        ("param.mode != 1", "'!=' needs operands of the same type, got str and num", 12),
        ("if a then 1 else 2", "'if' needs a bool condition, got num", 4),
        ("if p then 1 else q", "'then' and 'else' must have the same type, got num and bool", 1),
        ("if(a, 1, 2)", "if() argument 1 must be bool, got num", 4),
        ("if(p, 1, q)", "if() arguments 2 and 3 must have the same type, got num and bool", 1),
        ("clamp(a, 1)", "clamp() takes 3 arguments, got 2", 1),
        ("abs(a, b)", "abs() takes 1 argument, got 2", 1),
        ("min(a)", "min() takes at least 2 arguments, got 1", 1),
        ("max()", "max() takes at least 2 arguments, got 0", 1),
        ("if(p)", "if() takes 3 arguments, got 1", 1),
        ("clamp(a, p, 2)", "clamp() argument 2 must be num, got bool", 10),
        ("sqrt(param.mode)", "sqrt() argument 1 must be num, got str", 6),
        ("clmp(a, 1, 2)", "unknown function 'clmp' (did you mean 'clamp'?)", 1),
        ("mx.st(1)", "unknown function 'mx.st'", 1),
        ("lag(a + 1, 2)", "lag() needs a name as its first argument", 7),
        ("lag(flag.hrl, 2)", "lag() needs a num name, 'flag.hrl' is bool", 5),
        ("lag(a, p)", "lag() argument 2 must be num, got bool", 8),
        ("lag(nope, 1)", "unknown name 'nope'", 5),
    ],
)
def test_type_errors(text: str, message: str, column: int) -> None:
    err = error_of(text)
    assert message in err.message
    assert err.column == column
    assert err.text == text


def test_check_returns_type_without_compiling() -> None:
    assert check(parse("a + 1"), SYMS) == "num"
    assert check(parse("a > 1 or p"), SYMS) == "bool"
    assert check(parse("if p then 'x' else param.mode"), SYMS) == "str"
    with pytest.raises(ExprError, match="'and' needs bool operands, got num"):
        check(parse("a and p"), SYMS)


@pytest.mark.parametrize(
    ("text", "expect", "message"),
    [
        ("a + 1", "bool", "expected a bool condition, got num"),
        ("p", "num", "expected a number, got bool"),
        ("a", "str", "expected a string, got num"),
        (3, "bool", "expected a bool condition, got num"),
        (True, "num", "expected a number, got bool"),
    ],
)
def test_expected_type(text: Any, expect: Any, message: str) -> None:
    assert error_of(text, expect).message == message


# ------------------------------------------------------------------ names and prefixes


def test_unknown_name_suggests_close_match() -> None:
    err = error_of("mx.stt >= 60")
    assert err.message == "unknown name 'mx.stt' (did you mean 'mx.st'?)"
    assert err.column == 1
    err = error_of("1 + start.mx.mee")
    assert err.message == "unknown name 'start.mx.mee' (did you mean 'start.mx.me'?)"
    assert err.column == 5


def test_unknown_name_without_close_match_has_no_suggestion() -> None:
    assert error_of("zzzqqq + 1").message == "unknown name 'zzzqqq'"


def test_prefixes() -> None:
    assert check(parse("start.mx.st"), SYMS) == "num"
    assert check(parse("start.flag.hrl"), SYMS) == "bool"  # "same": the remainder's own type
    assert check(parse("mean.flag.hrl"), SYMS) == "num"  # a declared type overrides the remainder's
    assert check(parse("ctx.whatever.you.like"), SYMS) == "num"  # open prefix: any remainder
    assert run("start.mx.me + mean.mx.st + ctx.anything") == 30.0 + 55.0 + 9
    assert "unknown name 'start.nope'" in error_of("start.nope").message
    assert "unknown name 'start.start.mx.st'" in error_of("start.start.mx.st").message
    assert "unknown name 'ctx'" in error_of("ctx").message


def test_symbols_defaults_are_independent() -> None:
    plain = Symbols({"a": "num"})
    assert plain.prefixes == {} and plain.open_prefixes == {}
    assert plain.lookup("a") == "num" and plain.lookup("start.a") is None


# ------------------------------------------------------------------ compile_expr


@pytest.mark.parametrize(("value", "kind"), [(5, "num"), (2.5, "num"), (True, "bool"), (False, "bool")])
def test_plain_yaml_values_compile_to_constants(value: Any, kind: str) -> None:
    expr = compile_expr(value, SYMS)
    assert expr.type == kind
    assert expr({}) == value and type(expr({})) is type(value)
    assert expr.names == frozenset()


def test_yaml_values_do_not_collide_in_the_memo() -> None:
    assert compile_expr(1, SYMS)({}) is not True
    assert compile_expr(True, SYMS)({}) is True
    assert compile_expr(1, SYMS).type == "num"


def test_unsupported_value_type_is_an_expr_error() -> None:
    with pytest.raises(ExprError, match="got list"):
        compile_expr([1, 2], SYMS)  # type: ignore[arg-type]


def test_compiled_expression_is_memoised_per_symbols() -> None:
    first = compile_expr("a + 1", SYMS, "num")
    assert compile_expr("a + 1", SYMS, "num") is first
    other = Symbols(dict(NAMES))
    assert compile_expr("a + 1", other, "num") is not first


def test_literal_subtrees_are_folded() -> None:
    expr = compile_expr("2 * 3 + max(1, 4) - -1", SYMS)
    assert expr({}) == 11  # an empty env works only because nothing is looked up at run time
    assert compile_expr("if true then 1 else missing", SYMS)({}) == 1
    assert compile_expr("true or missing_b", SYMS)({}) is True
    assert compile_expr("1 / 0 + 10 ^ 400", SYMS)({}) == math.inf


def test_expr_is_frozen_and_callable() -> None:
    expr = compile_expr("a + b", SYMS)
    assert isinstance(expr, Expr)
    assert expr(ENV) == expr.fn(ENV) == -4
    assert expr.text == "a + b" and expr.type == "num"
    with pytest.raises(AttributeError):
        expr.text = "x"  # type: ignore[misc]


# ------------------------------------------------------------------ properties

NUM_ENV = {"a": 3, "b": -7, "c": 12, "z": 0}  # z: division by a name that is zero
BOOL_ENV = {"p": True, "q": False}
PROP_SYMS = Symbols({**dict.fromkeys(NUM_ENV, "num"), **dict.fromkeys(BOOL_ENV, "bool")})
PROP_ENV: dict[str, Any] = {**NUM_ENV, **BOOL_ENV}

# Trees are plain tuples. Numbers: ("int", n) ("name", n) ("neg", t) ("bin", op, l, r) ("call", f, args)
# ("if", c, a, b, as_call). Booleans: ("bool", v) ("bname", n) ("cmp", op, l, r) ("logic", op, l, r)
# ("not", t).
num_tree: st.SearchStrategy[tuple[Any, ...]]
bool_tree: st.SearchStrategy[tuple[Any, ...]]
num_tree = st.deferred(
    lambda: st.one_of(
        st.integers(0, 40).map(lambda n: ("int", n)),
        st.sampled_from(sorted(NUM_ENV)).map(lambda n: ("name", n)),
        num_tree.map(lambda t: ("neg", t)),
        st.tuples(st.just("bin"), st.sampled_from(["+", "-", "*", "/", "%"]), num_tree, num_tree),
        st.tuples(
            st.just("call"), st.sampled_from(["min", "max"]), st.lists(num_tree, min_size=2, max_size=4)
        ),
        st.tuples(st.just("call"), st.just("abs"), st.lists(num_tree, min_size=1, max_size=1)),
        st.tuples(st.just("call"), st.just("clamp"), st.lists(num_tree, min_size=3, max_size=3)),
        st.tuples(st.just("if"), bool_tree, num_tree, num_tree, st.booleans()),
    )
)
bool_tree = st.deferred(
    lambda: st.one_of(
        st.booleans().map(lambda v: ("bool", v)),
        st.sampled_from(sorted(BOOL_ENV)).map(lambda n: ("bname", n)),
        st.tuples(st.just("cmp"), st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), num_tree, num_tree),
        st.tuples(st.just("logic"), st.sampled_from(["and", "or"]), bool_tree, bool_tree),
        bool_tree.map(lambda t: ("not", t)),
    )
)

# Precedences as the language reference states them; used to print trees with as few parentheses as possible.
PREC = {
    **{"or": 10, "and": 20, "not": 30, "cmp": 40, "+": 50, "-": 50},
    **{"*": 60, "/": 60, "%": 60, "neg": 70, "atom": 100},
}


def depth(tree: tuple[Any, ...]) -> int:
    subtrees = [t for t in tree[1:] if isinstance(t, tuple)]
    subtrees += [t for part in tree[1:] if isinstance(part, list) for t in part]
    return 1 + max((depth(t) for t in subtrees), default=0)


def prec(tree: tuple[Any, ...]) -> int:
    kind = tree[0]
    if kind in ("bin", "logic"):
        return PREC[tree[1]]
    if kind == "if":
        return 100 if tree[4] else 0
    return PREC.get(kind, 100)


def render(tree: tuple[Any, ...], minimal: bool) -> str:
    def sub(t: tuple[Any, ...], need: int) -> str:
        text = render(t, minimal)
        return f"({text})" if not minimal or prec(t) < need else text

    kind = tree[0]
    if kind == "int":
        return str(tree[1])
    if kind in ("name", "bname"):
        return str(tree[1])
    if kind == "bool":
        return "true" if tree[1] else "false"
    if kind == "neg":
        return "-" + sub(tree[1], PREC["neg"])
    if kind == "not":
        return "not " + sub(tree[1], PREC["not"])
    if kind in ("bin", "logic", "cmp"):
        p = PREC["cmp"] if kind == "cmp" else PREC[tree[1]]
        # left-associative (comparisons not associative at all): a right operand of equal rank needs parens
        right_need = p + 1
        left_need = p + 1 if kind == "cmp" else p
        return f"{sub(tree[2], left_need)} {tree[1]} {sub(tree[3], right_need)}"
    if kind == "call":
        return f"{tree[1]}({', '.join(render(a, minimal) for a in tree[2])})"
    assert kind == "if"
    c, a, b = (render(t, minimal) for t in tree[1:4])
    return f"if({c}, {a}, {b})" if tree[4] else f"if {c} then {a} else {b}"


def reference(tree: tuple[Any, ...]) -> Any:
    kind = tree[0]
    if kind in ("int", "bool"):
        return tree[1]
    if kind in ("name", "bname"):
        return PROP_ENV[tree[1]]
    if kind == "neg":
        return -reference(tree[1])
    if kind == "not":
        return not reference(tree[1])
    if kind == "bin":
        op, left, right = tree[1], reference(tree[2]), reference(tree[3])
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            return 0.0 if right == 0 else left / right
        return 0 if right == 0 else left % right
    if kind == "cmp":
        op, left, right = tree[1], reference(tree[2]), reference(tree[3])
        return {
            "<": left < right,
            "<=": left <= right,
            ">": left > right,
            ">=": left >= right,
            "==": left == right,
            "!=": left != right,
        }[op]
    if kind == "logic":
        left, right = reference(tree[2]), reference(tree[3])
        return (left and right) if tree[1] == "and" else (left or right)
    if kind == "call":
        values = [reference(t) for t in tree[2]]
        if tree[1] == "min":
            return min(values)
        if tree[1] == "max":
            return max(values)
        if tree[1] == "abs":
            return abs(values[0])
        x, lo, hi = values
        return lo if x < lo else hi if x > hi else x
    assert kind == "if"
    return reference(tree[2]) if reference(tree[1]) else reference(tree[3])


@settings(max_examples=300, deadline=None)
@given(tree=num_tree, minimal=st.booleans())
def test_compiled_arithmetic_matches_reference(tree: tuple[Any, ...], minimal: bool) -> None:
    assume(depth(tree) <= 30)
    text = render(tree, minimal)
    expr = compile_expr(text, PROP_SYMS, "num")
    assert expr(PROP_ENV) == reference(tree), text


@settings(max_examples=200, deadline=None)
@given(tree=bool_tree, minimal=st.booleans())
def test_compiled_conditions_match_reference(tree: tuple[Any, ...], minimal: bool) -> None:
    assume(depth(tree) <= 30)
    text = render(tree, minimal)
    assert compile_expr(text, PROP_SYMS, "bool")(PROP_ENV) is reference(tree), text


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_parse_raises_only_expr_error_on_any_text(text: str) -> None:
    try:
        node = parse(text)
    except ExprError as exc:
        assert exc.text == text
        assert 0 <= exc.column <= len(text) + 1
    else:
        assert all(name in text for name in free_names(node))


EXPR_ALPHABET = "abcpq01239.e ()+-*/%^<>=!,'\"_ifthenlsndortumaxclpgbs"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=EXPR_ALPHABET, max_size=60))
def test_compile_and_run_never_crash(text: str) -> None:
    """Whatever an author types either fails with an ExprError or evaluates without raising."""
    try:
        expr = compile_expr(text, PROP_SYMS)
    except ExprError as exc:
        assert exc.message
        return
    value = expr(PROP_ENV)
    assert isinstance(value, {"num": int | float, "bool": bool, "str": str}[expr.type])


_ARITH = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: 0.0 if b == 0 else a / b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


@pytest.mark.parametrize("op", sorted(_ARITH))
@pytest.mark.parametrize("x", [0, 3, -2.5])
@pytest.mark.parametrize("y", [0, 4, -0.5])
def test_every_operand_shape_with_names(op: str, x: float, y: float) -> None:
    """Names, constants and computed operands on either side compile to specialised closures; each shape
    must compute what the operator means, zero divisors included."""
    syms = Symbols({"x": "num", "y": "num"})
    env = {"x": x, "y": y}
    f = _ARITH[op]
    shapes = {
        f"x {op} 2": f(x, 2),
        f"2 {op} x": f(2, x),
        f"x {op} y": f(x, y),
        f"x {op} 0": f(x, 0),
        f"0 {op} x": f(0, x),
        f"x {op} (y + 0.5)": f(x, y + 0.5),
        f"(y * 2) {op} x": f(y * 2, x),
        f"(y - y) {op} x": f(y - y, x),
        f"x {op} (y - y)": f(x, y - y),
    }
    for text, want in shapes.items():
        assert compile_expr(text, syms)(env) == want, text


@pytest.mark.parametrize("op", ["and", "or"])
@pytest.mark.parametrize("p", [True, False])
@pytest.mark.parametrize("q", [True, False])
def test_every_logic_shape_with_names(op: str, p: bool, q: bool) -> None:
    syms = Symbols({"p": "bool", "q": "bool"})
    env = {"p": p, "q": q}

    def f(a: bool, b: bool) -> bool:
        return (a and b) if op == "and" else (a or b)

    shapes = {
        f"p {op} true": f(p, True),
        f"p {op} false": f(p, False),
        f"true {op} p": f(True, p),
        f"p {op} q": f(p, q),
        f"p {op} (not q)": f(p, not q),
        f"(not q) {op} p": f(not q, p),
    }
    for text, want in shapes.items():
        assert compile_expr(text, syms)(env) is want, text


# ------------------------------------------------------------------ named parameters (par.<id>)


def _par_syms() -> Symbols:
    return Symbols({"x": "num"}, constants={"par.k": 0.5, "par.n": 3})


def test_a_parameter_compiles_to_its_number_and_is_not_read_from_the_state() -> None:
    e = compile_expr("x * par.k + par.n", _par_syms(), "num")
    assert e({"x": 4}) == 4 * 0.5 + 3  # no 'par.k' in the environment: it is compiled in
    assert e.names == {"x"} and e.params == {"par.k", "par.n"}
    literal = compile_expr("x * 0.5 + 3", Symbols({"x": "num"}), "num")
    for x in (-2, 0, 1.25, 7):
        assert e({"x": x}) == literal({"x": x})
    assert compile_expr("par.k * 2", _par_syms()).fn({}) == 1.0  # folds to a constant


def test_an_unknown_parameter_is_a_name_error_with_a_suggestion() -> None:
    with pytest.raises(ExprError) as exc:
        compile_expr("x * par.kk", _par_syms())
    assert "unknown name 'par.kk'" in exc.value.message and "did you mean 'par.k'" in exc.value.message
    assert exc.value.column == 5


def test_lag_of_a_parameter_is_refused() -> None:
    with pytest.raises(ExprError) as exc:
        compile_expr("lag(par.k, 2)", _par_syms())
    assert "fixed parameter" in exc.value.message
