"""Formula text: R's ``.``, the columns a formula uses, and patsy's frame and errors.

>>> from penstat.design.formula import expand_dot
>>> expand_dot(". - x2", ["x1", "x2", "x3"])
'(x1 + x2 + x3) - x2'
"""

from __future__ import annotations

import difflib
import io
import keyword
import re
import tokenize

import numpy as np
import pandas as pd
import patsy

from penstat._errors import DataError, FormulaError

# -- formula text --------------------------------------------------------------


def _tokens(text: str):
    try:
        return [
            t
            for t in tokenize.generate_tokens(io.StringIO(text).readline)
            if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
        ]
    except (tokenize.TokenError, SyntaxError) as exc:
        raise FormulaError(f"cannot parse formula {text!r}: {exc}") from None


def _is_dot(tokens, i) -> bool:
    tok = tokens[i]
    if tok.type != tokenize.OP or tok.string != ".":
        return False
    prev = tokens[i - 1] if i > 0 else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    attribute = prev is not None and (
        prev.type in (tokenize.NAME, tokenize.NUMBER) or prev.string in (")", "]")
    )
    return not attribute and not (nxt is not None and nxt.type == tokenize.NAME)


def _quote(column: str) -> str:
    if column.isidentifier() and not keyword.iskeyword(column):
        return column
    return f'Q("{column}")' if '"' not in column else f"Q({column!r})"


def expand_dot(rhs: str, others: list[str]) -> str:
    """Replace a stand-alone ``.`` by every other column, joined with ``+``."""
    tokens = _tokens(rhs)
    dots = [i for i in range(len(tokens)) if _is_dot(tokens, i)]
    if not dots:
        return rhs
    if not others:
        raise FormulaError(
            "'.' in the formula stands for no column: the data has no others"
        )
    expansion = "(" + " + ".join(_quote(c) for c in others) + ")"
    # rebuild from character offsets (single-line formulas)
    lines = rhs.splitlines() or [rhs]
    if len(lines) > 1:
        rhs = " ".join(lines)
        return expand_dot(rhs, others)
    out, last = [], 0
    for i in dots:
        start, end = tokens[i].start[1], tokens[i].end[1]
        out.append(rhs[last:start])
        out.append(expansion)
        last = end
    out.append(rhs[last:])
    return "".join(out)


def referenced_columns(text: str, columns: list[str]) -> list[str]:
    """Data columns a formula side uses: bare names and ``Q("...")`` arguments."""
    tokens = _tokens(text)
    colset = set(columns)
    found = []
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i > 0 else None
        if tok.type == tokenize.NAME and tok.string in colset:
            if prev is not None and prev.string == ".":
                continue  # attribute such as np.log
            found.append(tok.string)
        elif tok.type == tokenize.STRING and i >= 2 and tokens[i - 2].string == "Q":
            try:
                value = eval(tok.string, {"__builtins__": {}})  # a string literal
            except Exception:  # pragma: no cover - malformed literal
                continue
            if value in colset:
                found.append(value)
    return list(dict.fromkeys(found))


def simple_name(text: str) -> str | None:
    text = text.strip()
    m = re.fullmatch(r"Q\(\s*(['\"])(.*)\1\s*\)", text)
    if m:
        return m.group(2)
    return text if text.isidentifier() else None


def column_in(text: str, columns: list[str]) -> str | None:
    name = simple_name(text)
    return name if name is not None and name in columns else None


# -- patsy glue ----------------------------------------------------------------


def default_env():
    return patsy.EvalEnvironment([{"np": np, "numpy": np}])


def numeric_as_arrays(frame: pd.DataFrame) -> dict:
    """The frame's columns for patsy, numeric ones (not bool) as numpy arrays: patsy
    wraps every pandas factor it evaluates in new pandas objects (a third of its time
    on 100 numeric columns); the values, and the design, are the same."""
    return {
        name: (
            values.to_numpy()
            if pd.api.types.is_numeric_dtype(values.dtype)
            and not pd.api.types.is_bool_dtype(values.dtype)
            else values
        )
        for name, values in frame.items()
    }


def patsy_frame(data: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A new frame with the given columns in dtypes patsy handles.

    pandas' nullable and string dtypes hold ``pd.NA``, which patsy's level sorting
    cannot compare; strings go to object, nullable numbers to float, nullable bools
    to bool (after missing rows were dropped).
    """
    out = {}
    for c in columns:
        s = data[c]
        dtype = s.dtype
        if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(dtype):
            out[c] = s
        elif pd.api.types.is_bool_dtype(dtype):
            out[c] = s.astype(object if s.isna().any() else bool)
        elif pd.api.types.is_string_dtype(dtype):
            out[c] = s.astype(object).where(s.notna(), None)
        elif pd.api.types.is_numeric_dtype(dtype) and isinstance(
            dtype, pd.api.extensions.ExtensionDtype
        ):
            out[c] = s.astype("float64")
        else:
            out[c] = s
    return pd.DataFrame(out, index=data.index)


def close_matches(name: str, columns) -> str:
    close = difflib.get_close_matches(str(name), [str(c) for c in columns], n=3, cutoff=0.5)
    return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""


def unknown_name(name: str, columns, what: str = "") -> FormulaError:
    return FormulaError(
        f"{what}{name!r} in the formula is not a column of the data"
        + close_matches(name, columns)
    )


def translate_patsy_error(exc, formula: str, columns) -> Exception:
    msg = getattr(exc, "message", str(exc))
    m = re.search(r"name '([^']+)' is not defined", msg)
    if m:
        return unknown_name(m.group(1), columns)
    origin = getattr(exc, "origin", None)
    where = ""
    if origin is not None:
        where = origin.code[origin.start : origin.end]
    m = re.search(
        r"observation with value (.+?) does not match any of the expected "
        r"levels \(expected: (.*)\)",
        msg,
    )
    if m:
        return DataError(
            f"factor {where!r} has the level {m.group(1)}, not seen when the model was "
            f"fitted (levels: {m.group(2)}); drop those rows or refit with them"
        )
    if "missing values" in msg:
        return DataError(
            f"{where!r} evaluates to missing values (NaN) for some rows; "
            "check the transform's domain (e.g. log of a non-positive value)"
        )
    if where:
        return FormulaError(f"in formula {formula!r} at {where!r}: {msg}")
    return FormulaError(f"in formula {formula!r}: {msg}")
