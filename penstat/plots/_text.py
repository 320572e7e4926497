"""Text that matplotlib must draw as written.

matplotlib reads a label with a pair of unescaped ``$`` as mathtext: a column named
``a$b$`` would be drawn with ``b`` in italics, and one named ``$\\frac{$`` stops the
drawing with a parse error. :func:`literal` escapes every ``$`` so that any name is
drawn as it is.

>>> literal("price$ (US$)")
'price\\\\$ (US\\\\$)'
"""

from __future__ import annotations

__all__ = ["literal"]


def literal(text: object) -> str:
    """``text`` as a string matplotlib draws literally (every ``$`` escaped).

    matplotlib draws a text without an unescaped ``$`` as plain text and turns each
    ``\\$`` back into ``$``, so the drawn text is ``str(text)``.

    Examples
    --------
    >>> literal("a$b$")
    'a\\\\$b\\\\$'
    """
    return str(text).replace("$", r"\$")
