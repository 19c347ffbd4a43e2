"""Sphinx configuration of the bpmnist documentation.

Build (from the repository root, with the ``docs`` extra installed)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

then open ``docs/_build/html/index.html``. See ``docs/README.md`` for the options.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

# Document the working tree: its sources come before any installed copy.
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(DOCS / "sphinxext"))

import bpmnist  # noqa: E402

# -- Project ---------------------------------------------------------------------------------

project = "bpmnist"
author = "The bpmnist developers"
copyright = f"2025-{date.today().year}, {author}"
release = bpmnist.__version__
version = ".".join(release.split(".")[:2])

# -- General ---------------------------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "myst_parser",  # only to include benchmarks/README.md, the single source of its table
    "bpmnist_docs",  # docs/sphinxext: gallery order, API coverage, CLI help, docstring types
]

# reStructuredText only: Markdown files are included, never built as pages of their own.
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "README.md", "sphinxext", "**/figures/*.py"]
templates_path = ["_templates"]
default_role = "literal"  # `x` in docstrings means code, as numpydoc's guide uses it
pygments_style = "sphinx"

# -- API reference: autodoc, autosummary, numpydoc ---------------------------------------

autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc "Parameters" sections say it better
autodoc_member_order = "groupwise"
numpydoc_show_class_members = False  # the class template lists the methods itself
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Parameter types become links (numpydoc's :term:/:ref: roles into the Python and NumPy
# docs), which need the intersphinx inventories: see below.
numpydoc_xref_param_type = False  # set to True with the inventories, further down
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "DataFrame": "pandas.DataFrame",
    "Series": "pandas.Series",
    "Bunch": "sklearn.utils.Bunch",
    "BPClassifier": "bpmnist.BPClassifier",
    "Figure": "matplotlib.figure.Figure",
    "Axes": "matplotlib.axes.Axes",
    "path-like": ":term:`path-like <python:path-like object>`",
}
numpydoc_xref_ignore = {
    "of",
    "or",
    "and",
    "shape",
    "default",
    "optional",
    "type",
    "dtype",
    "n_samples",
    "n_features",
    "n_classes",
    "n_images",
    "n_features_in_",
    "height",
    "width",
    "instance",
    "like",
    "uint8",
    "int64",
    "if",
    "is",
    "True",
    "return_X_y",
    "tuple",
}
# Docstring checks that fail the build (under -W): every documented public object has a
# docstring, documents all its parameters and no others, and shows an Examples section.
numpydoc_validation_checks = {"GL08", "PR01", "PR02", "EX01"}
numpydoc_validation_exclude = {
    r"\.__init__$",
    r"\.[A-Z][A-Z0-9_]*$",  # constants: a value, nothing to show in an example
}

# -- Links to other projects (intersphinx) ------------------------------------------------
#
# Links such as :class:`sklearn.pipeline.Pipeline` need the other project's objects.inv,
# downloaded at build time. Without network access every failed download is a warning, and
# `-W` turns it into an error. A build must pass offline (CI and the test machines have no
# network), so the inventories are fetched only when asked for:
#
#     BPMNIST_DOCS_INTERSPHINX=1 sphinx-build -W --keep-going -b html docs docs/_build/html
#
# Build the published site that way. Without it the same references render as code with
# no link, and no warning (the build is not nitpicky). Nothing else changes.
INTERSPHINX_MAPPING = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "sklearn": ("https://scikit-learn.org/stable", None),
    "torch": ("https://docs.pytorch.org/docs/stable", None),
    "pandas": ("https://pandas.pydata.org/docs", None),
    "matplotlib": ("https://matplotlib.org/stable", None),
}
_fetch_inventories = os.environ.get("BPMNIST_DOCS_INTERSPHINX", "").lower() in {"1", "true", "yes"}
intersphinx_mapping = INTERSPHINX_MAPPING if _fetch_inventories else {}
intersphinx_timeout = 30
numpydoc_xref_param_type = _fetch_inventories

# -- Figures in the user guide (matplotlib's plot directive) ------------------------------

plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.autolayout": False, "savefig.bbox": "tight"}
plot_pre_code = "import numpy as np\nimport matplotlib.pyplot as plt\n"

# -- Examples gallery (sphinx-gallery) ----------------------------------------------------
#
# The examples run during the build (about two minutes on two cores). For a quick build of
# the prose only, add `-D plot_gallery=0`.

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "bpmnist_docs.ExampleOrder",
    "doc_module": ("bpmnist",),
    "backreferences_dir": "gen_modules/backreferences",
    "remove_config_comments": True,
    "min_reported_time": 1,
}

# -- HTML ------------------------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"bpmnist {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
html_theme_options = {
    "github_url": "https://github.com/bpmnist/bpmnist",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc", "sg_download_links", "sg_launcher_links"],
}
html_context = {"default_mode": "light"}

# Relative links in benchmarks/README.md (to the scripts next to it) point here instead.
bpmnist_source_url = "https://github.com/bpmnist/bpmnist/blob/main"

# MyST parses only benchmarks/README.md, included without its "# title" line (the page has
# its own; see docs/sphinxext), so its headings start at "##": expected, not worth a warning.
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]
