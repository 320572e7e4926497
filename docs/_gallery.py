"""Helpers for sphinx-gallery, named by string in docs/conf.py (so that the
configuration stays picklable)."""

from pathlib import Path


def reset_argv(gallery_conf, script_vars):
    """The command line an example sees in the docs build: an output directory
    for its figures inside the build tree (git ignores docs/_build/)."""
    return [str(Path(gallery_conf["src_dir"]) / "_build" / "example-figures")]
