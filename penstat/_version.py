"""The version of penstat."""

__version__ = "0.1.0"
