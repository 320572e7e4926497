"""Every argument check, in one package, so that each user mistake has one message.

Each function takes the value and the name the user gave it, and returns the value
in the form the pipeline uses, or raises a :class:`~penstat.PenstatError` subclass
that names the argument and says what to do.

>>> from penstat._validation import check_l1_ratio, positive_int
>>> check_l1_ratio(1)
1.0
>>> positive_int(3, "nlambda")
3
"""

# The names of the three modules, each listed once in its own ``__all__``.
from penstat._validation import arrays, rules, scalars
from penstat._validation.arrays import *  # noqa: F403
from penstat._validation.rules import *  # noqa: F403
from penstat._validation.scalars import *  # noqa: F403

__all__ = [*arrays.__all__, *rules.__all__, *scalars.__all__]
