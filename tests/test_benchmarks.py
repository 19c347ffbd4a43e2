"""The benchmark scripts run end to end on the packaged sample."""

import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def run_benchmark(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import run_benchmark

    return run_benchmark


def test_quick_benchmark_compares_every_system(run_benchmark, tmp_path, capsys):
    out = tmp_path / "results.json"
    systems = ["tutorial", "BPClassifier", "MLP(200), 20 epochs", "skorch"]
    argv = ["--quick", "--seeds", "1", "--tutorial-epochs", "1", "--json", str(out)]
    assert run_benchmark.main([*argv, "--systems", *systems]) == 0
    results = json.loads(out.read_text())
    assert results["n_train"] == 4000 and results["n_test"] == 1000
    for name in systems:
        row = results["systems"][name]
        if row is None:  # skorch is an optional extra
            assert name == "skorch" and "skorch" not in sys.modules
            continue
        summary = row["summary"]
        assert summary["accuracy"] > 0.8, name
        assert summary["fit_s"] > 0 and summary["predict_s"] > 0
        assert summary["peak_rss_mb"] > 50
    assert results["systems"]["BPClassifier"]["summary"]["accuracy"] >= 0.94
    assert results["roofline"]["matmul_gflops"] > 0
    (run,) = results["systems"]["BPClassifier"]["runs"]
    assert run["handoff_us"] > 0
    table = capsys.readouterr().out
    assert "| BPClassifier |" in table and "Roofline: float32 matmul" in table
    ratio = run["epoch_s"] / results["roofline"]["min_epoch_s"]
    assert f"per seed (thread hand-off before the fit): {ratio:.2f} (" in table


def test_benchmark_refuses_to_run_without_the_reference(run_benchmark):
    with pytest.raises(SystemExit):
        run_benchmark.main(["--quick", "--systems", "tutorial"])
