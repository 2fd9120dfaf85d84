"""Where the heavy stages run: in this process (``local``) or on a Ray cluster (``ray``).

An engine computes the ``embed`` stage's vectors and the ``neighbours`` stage's graph; what it computes
comes back to the pipeline, which stores it through ``storage/`` under the same cache keys whichever
engine ran (the engine is not a stage parameter: a Ray worker on a CPU runs the same ONNX model as this
process, so its vectors belong to the same embedding set). See docs/scale-out.md.
"""

from analysis.engines.base import ENGINE_NAMES, Engine, resolve_engine
from analysis.engines.spec import EngineSpec

__all__ = ["ENGINE_NAMES", "Engine", "EngineSpec", "resolve_engine"]
