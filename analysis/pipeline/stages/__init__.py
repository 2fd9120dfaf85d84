"""The registered stages, in pipeline order; importing this package registers them."""

from analysis.pipeline.stages import cluster, embed, neighbours, project, tag

__all__ = ["cluster", "embed", "neighbours", "project", "tag"]
