"""Test-session set-up shared by the tests and the doctests."""

import os

import torch

# pytest-xdist runs one process per core: each process (and the subprocesses its tests
# start) gets its share of the cores, so PyTorch's worker threads do not spin against each
# other. The workers recompute this themselves rather than inherit the controller's value.
_workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
_threads = max(1, (os.cpu_count() or 1) // _workers)
os.environ["OMP_NUM_THREADS"] = str(_threads)
torch.set_num_threads(_threads)
