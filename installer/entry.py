"""The standalone application's entry point: the ``strata`` command, frozen by PyInstaller."""

import multiprocessing
import sys

if __name__ == "__main__":
    # child processes (the cancellable NN-descent, spawn start method) re-run this executable
    multiprocessing.freeze_support()
    from app.cli import main

    sys.exit(main())
