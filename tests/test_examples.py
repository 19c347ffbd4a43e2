"""Run every example of the gallery (``examples/plot_*.py``) offline, as a user would.

Each script runs in a fresh interpreter, in an empty temporary folder, with

* ``BPMNIST_EXAMPLE_QUICK=1``, which the examples read to train on less data for fewer
  epochs (the printed numbers are then meaningless; only that the script works is tested);
* matplotlib's non-interactive ``Agg`` backend, so that ``plt.show()`` returns at once;
* one thread per process, since pytest-xdist already runs one test per core;
* a temporary data home, so that nothing is cached in the user's home folder.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bpmnist
from bpmnist.datasets import load_sample

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))

# Runs the script as ``python SCRIPT ARGS...`` would, then reports the figures it drew.
RUNNER = """\
import runpy, sys
import matplotlib.pyplot as plt
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
print(f"\\nFIGURES={len(plt.get_fignums())}")
"""

ACCURACY = re.compile(r"accuracy[^\n]*?\d+(\.\d+)?%")


def run_example(script, folder, *args):
    """Run ``script`` in ``folder`` and return its standard output; fail on any error."""
    env = {
        **os.environ,
        "BPMNIST_EXAMPLE_QUICK": "1",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "BPMNIST_DATA": str(folder.parent / f"{folder.name}_data_home"),
        # The interpreter must import the bpmnist under test, installed or not.
        "PYTHONPATH": os.pathsep.join(
            [str(Path(bpmnist.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(script), *map(str, args)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"{script.name} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_examples_are_found():
    assert len(EXAMPLES) >= 7, EXAMPLES


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_follows_the_gallery_conventions(script):
    """A titled docstring for sphinx-gallery, and the ``--full PATH`` option of every example."""
    source = script.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source))
    assert docstring, f"{script.name} has no docstring"
    title, underline = docstring.splitlines()[:2]
    assert title and underline == "=" * len(title), f"{script.name}: bad gallery title"
    assert '"--full"' in source and "parse_known_args()" in source, script.name
    assert "BPMNIST_EXAMPLE_QUICK" in source, f"{script.name} ignores the quick mode"


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_offline(script, tmp_path):
    folder = tmp_path / "cwd"
    folder.mkdir()
    output = run_example(script, folder)
    assert ACCURACY.search(output), f"{script.name} printed no accuracy:\n{output}"
    n_figures = int(re.search(r"FIGURES=(\d+)", output).group(1))
    assert n_figures >= 1, f"{script.name} drew no figure"
    assert list(folder.iterdir()) == [], "examples must not write into the working folder"


def test_example_reads_a_classic_csv_with_full(tmp_path):
    """``--full PATH`` replaces the packaged sample by a file in the classic CSV format."""
    X, y = load_sample(return_X_y=True)
    rows = np.concatenate([np.flatnonzero(y == digit)[:40] for digit in range(10)])
    path = tmp_path / "mnist_small.csv"
    np.savetxt(path, np.column_stack([y[rows], X[rows]]), fmt="%d", delimiter=",")
    folder = tmp_path / "cwd"
    folder.mkdir()
    output = run_example(EXAMPLES_DIR / "plot_quickstart.py", folder, "--full", path)
    assert "300 training digits, 100 test digits" in output, output
    assert ACCURACY.search(output)
