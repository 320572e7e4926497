"""Stage 1, the design: a formula and a DataFrame become a :class:`Design`.

>>> import pandas as pd
>>> from penstat.design import build_design
>>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0], "x": [0.5, 1.5, 2.0, 3.0]})
>>> build_design("y ~ x", df).columns
['x']
"""

from penstat.design.design import Design, build_design
from penstat.design.response import offset_values

__all__ = ["Design", "build_design", "offset_values"]
