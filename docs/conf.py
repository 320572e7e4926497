"""Sphinx configuration of the penstat documentation.

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html``
(see docs/developer/docs.md).
"""

import os
import sys
from pathlib import Path

import penstat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # for _gallery.py; penstat itself is installed

project = "penstat"
author = "the penstat developers"
copyright = "the penstat developers"
version = release = penstat.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx_design",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
highlight_language = "text"  # unlabelled code blocks (command lines, schemas) stay plain
exclude_patterns = [
    "_build",
    "_snippets",
    "user-guide/_*.md",  # sections that a page includes, not pages of their own
    "_templates",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.json",
]
templates_path = ["_templates"]

# -- MyST: the Markdown pages ------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3  # [text](page.md#a-heading) links to a heading

# -- API reference: autosummary + numpydoc -----------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc "Parameters" sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
numpydoc_xref_param_type = False

intersphinx_mapping = {}  # offline build: no inventories are fetched

# -- Examples gallery ---------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # run every example (all are named plot_*.py)
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "show_memory": False,
    "plot_gallery": "True",
    # the examples write their figures into the directory named by their first
    # argument: in the build, docs/_build/example-figures/ (see docs/_gallery.py)
    "reset_argv": "_gallery.reset_argv",
}
os.environ.setdefault("MPLBACKEND", "Agg")

# -- HTML -----------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"penstat {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    "navigation_with_keys": False,
}
html_sidebars = {"index": [], "getting-started": []}
html_show_sourcelink = False


def _skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated metadata-routing setters
    (``set_fit_request`` ...): they are not penstat's API and their docstrings
    refer to scikit-learn's own glossary."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def _public_bases(app, name, obj, options, bases):
    """Show public base classes only: a private base (the estimators' shared
    ``_PenalizedBase``) is replaced by its own public bases (``BaseEstimator``)."""

    def public(base):
        if not base.__name__.startswith("_"):
            return [base]
        parents = [parent for parent in base.__bases__ if parent is not object]
        return [b for parent in parents for b in public(parent)]

    bases[:] = [b for base in bases for b in public(base)]


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-bases", _public_bases)
