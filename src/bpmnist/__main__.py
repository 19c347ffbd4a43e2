"""Run the ``bpmnist`` command line as ``python -m bpmnist``."""

import sys

from bpmnist.cli import main

if __name__ == "__main__":
    sys.exit(main())
