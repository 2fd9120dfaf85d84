"""Runtime hook of the standalone application, run before Strata's code.

- Nothing reaches the network: Hugging Face libraries are told to stay offline.
- The int8 ONNX export of the embedding model is bundled (``onnx-cache``), so the application needs no
  torch to make it; a user's ``STRATA_CACHE_DIR`` still wins.
- numba (UMAP, HDBSCAN, NN-descent) caches its compiled code in the user's cache folder, since the
  application's own folder may be read-only.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
bundle = Path(getattr(sys, "_MEIPASS", Path(__file__).parent))
if (bundle / "onnx-cache").is_dir():
    os.environ.setdefault("STRATA_CACHE_DIR", str(bundle / "onnx-cache"))
if "NUMBA_CACHE_DIR" not in os.environ:
    import platformdirs

    os.environ["NUMBA_CACHE_DIR"] = str(Path(platformdirs.user_cache_dir("strata")) / "numba")
