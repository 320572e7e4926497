"""The version of penstat.

>>> from penstat._version import __version__
>>> __version__.count(".") >= 1
True
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
