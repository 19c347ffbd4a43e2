"""Small Sphinx helpers for the bpmnist documentation (loaded by ``docs/conf.py``).

* :class:`ExampleOrder` sorts the gallery in reading order rather than by file size.
* :func:`check_api_coverage` warns (an error under ``-W``) when a public name of a public
  module is missing from ``api.rst``, so that a new function cannot go undocumented.
* :func:`quote_names_in_types` keeps names such as ``n_features_in_`` in the type of a
  numpydoc parameter or attribute from being read as reStructuredText links.
* :func:`copy_markdown` prepares ``benchmarks/README.md`` for inclusion in a page: without
  its title, and with its relative links pointed at the repository.
* :func:`write_cli_help` saves the ``--help`` text of the ``bpmnist`` command and of each
  of its subcommands to ``generated/cli/``, for the command-line page to include: the
  page always shows the options of the code it documents.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import pkgutil
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# The gallery in the order a newcomer should read it; examples not listed come last,
# sorted by file name.
EXAMPLE_ORDER = [
    "plot_quickstart.py",
    "plot_tutorial_vs_default.py",
    "plot_batch_size.py",
    "plot_pipeline.py",
    "plot_grid_search.py",
    "plot_early_stopping.py",
    "plot_recognise_image.py",
    "plot_save_load.py",
]

# Modules whose ``__all__`` is not part of the Python API reference: the command line is
# documented as a command, not as functions.
NOT_IN_API = {"bpmnist.cli", "bpmnist.__main__"}


class ExampleOrder:
    """Sort key for ``sphinx_gallery_conf["within_subsection_order"]``."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[int, str]:
        name = Path(filename).name
        rank = EXAMPLE_ORDER.index(name) if name in EXAMPLE_ORDER else len(EXAMPLE_ORDER)
        return rank, name

    def __repr__(self) -> str:  # sphinx-gallery compares configurations by their repr
        return f"{type(self).__name__}()"


def _documented_names(api_rst: Path) -> set[str]:
    """Fully qualified names listed in the autosummary tables of ``api.rst``."""
    names: set[str] = set()
    module = ""
    in_autosummary = False
    for line in api_rst.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match.group(1)
        elif line.startswith(".. autosummary::"):
            in_autosummary = True
        elif in_autosummary and line and not line.startswith(" "):
            in_autosummary = False
        elif in_autosummary and (match := re.fullmatch(r"\s+~?([\w.]+)", line)):
            names.add(f"{module}.{match.group(1)}" if module else match.group(1))
    return names


def _resolve(name: str) -> object | None:
    module_name, _, attribute = name.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return None


def check_api_coverage(app: Sphinx) -> None:
    """Warn about every public name of a public ``bpmnist`` module absent from ``api.rst``."""
    import bpmnist

    listed = [_resolve(name) for name in _documented_names(Path(app.srcdir) / "api.rst")]
    documented = {id(obj) for obj in listed if obj is not None}
    modules = ["bpmnist"] + [
        f"bpmnist.{info.name}"
        for info in pkgutil.iter_modules(bpmnist.__path__)
        if not info.name.startswith("_")
    ]
    for module_name in modules:
        if module_name in NOT_IN_API:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:  # e.g. an optional dependency is missing
            logger.warning("cannot import %s to check the API reference: %s", module_name, exc)
            continue
        for name in getattr(module, "__all__", []):
            if name.startswith("__"):
                continue
            obj = getattr(module, name, None)
            if obj is None or id(obj) not in documented:
                logger.warning(
                    "%s.%s is public (in __all__) but missing from api.rst",
                    module_name,
                    name,
                    location="api",
                )


# "name : type" lines of numpydoc's Parameters, Returns and Attributes sections.
_FIELD = re.compile(r"^(\s*\*{0,2}\w[\w, *]*\s:\s)(.+)$")
# A bare word ending in an underscore, not already between backticks.
_UNDERSCORED = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?![`\w])")


def quote_names_in_types(app, what, name, obj, options, lines) -> None:
    """Quote the names ending in ``_`` in numpydoc type fields, before numpydoc runs.

    In reStructuredText ``word_`` is a link to a target called ``word``, so a type such as
    ``ndarray of shape (n_features_in_,)`` fails with "Unknown target name". scikit-learn
    writes ``(`n_features_in_`,)``; this hook does the same for docstrings that do not.
    """
    for index, line in enumerate(lines):
        if match := _FIELD.match(line):
            head, kind = match.groups()
            lines[index] = head + _UNDERSCORED.sub(r"``\1``", kind)


# A Markdown link or image whose target has no URL scheme and is not an anchor: "](path)".
_RELATIVE_LINK = re.compile(r"\]\((?![a-zA-Z][\w+.-]*:|#|/)([^)\s]+)\)")
# Markdown files shown in the site: source in the repository -> copy under docs/generated.
MARKDOWN_COPIES = {"benchmarks/README.md": "generated/benchmarks_README.md"}


def copy_markdown(app: Sphinx) -> None:
    """Copy the Markdown files that pages include, ready to be included.

    ``benchmarks/README.md`` is the one source of the benchmark table, written for GitHub:
    it starts with a ``# title`` (the including page has its own) and links to its
    neighbours (``[script](run_benchmark.py)``), which would point at nothing in the site
    (a ``myst.xref_missing`` warning, an error under ``-W``). The copy drops the title and
    points such links at the file in the repository, under ``bpmnist_source_url``.
    """
    root = Path(app.confdir).parent.resolve()
    for source, copy in MARKDOWN_COPIES.items():
        path = root / source

        def absolute(match: re.Match[str], folder: Path = path.parent) -> str:
            target = (folder / match.group(1)).resolve()
            try:
                repository_path = target.relative_to(root).as_posix()
            except ValueError:  # outside the repository: leave it alone
                return match.group(0)
            return f"]({app.config.bpmnist_source_url.rstrip('/')}/{repository_path})"

        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        if lines and lines[0].startswith("# "):
            lines = lines[1:]
        text = _RELATIVE_LINK.sub(absolute, "".join(lines))
        _write_if_changed(Path(app.srcdir) / copy, text)


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless the file already holds it, so that Sphinx sees no change."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


CLI_COMMANDS = ["demo", "train", "evaluate", "predict"]


def write_cli_help(app: Sphinx) -> None:
    """Write ``bpmnist --help`` and ``bpmnist COMMAND --help`` to ``generated/cli/*.txt``."""
    from bpmnist.cli import main

    folder = Path(app.srcdir) / "generated" / "cli"
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"  # argparse wraps the help to this width
    try:
        for command in [None, *CLI_COMMANDS]:
            argv = ["--help"] if command is None else [command, "--help"]
            text = io.StringIO()
            with contextlib.redirect_stdout(text):
                main(argv)
            _write_if_changed(folder / f"{command or 'bpmnist'}.txt", text.getvalue())
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("bpmnist_source_url", "", "env")
    app.connect("builder-inited", copy_markdown)
    app.connect("builder-inited", check_api_coverage)
    app.connect("builder-inited", write_cli_help)
    # Before numpydoc (priority 500) turns the sections into reStructuredText.
    app.connect("autodoc-process-docstring", quote_names_in_types, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
