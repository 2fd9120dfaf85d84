"""The registered stages, in pipeline order; importing this package registers them."""

from analysis.pipeline.stages import cluster, embed, neighbours, probe, project, tag

# isort: split
# Registered last, so that in pipeline order it comes right after ``neighbours`` (both read only
# the vectors) rather than before it (see analysis.pipeline.stage.pipeline_order).
from analysis.pipeline.stages import cluster_sphere

# isort: split
# Reads only the text column; registered after ``embed`` so that it comes right after it.
from analysis.pipeline.stages import tokens

__all__ = ["cluster", "cluster_sphere", "embed", "neighbours", "probe", "project", "tag", "tokens"]
