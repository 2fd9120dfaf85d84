"""The parameters of one pipeline run: one frozen spec per stage and the model run to use."""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.engines import EngineSpec
from analysis.errors.spec import TagSpec
from analysis.labeling.probe import ProbeSpec
from analysis.map.clustering import ClusterSpec
from analysis.map.embed import EmbedSpec
from analysis.map.neighbours import NeighboursSpec
from analysis.map.projection import ProjectSpec
from analysis.map.spherical import SphereClusterSpec


@dataclass(frozen=True)
class PipelineSpec:
    """Parameters of every stage; ``run`` names the model run to use (default: the newest).

    ``map_from`` is what is embedded, mapped and clustered: ``prompt`` (the version's text column, the
    default) or ``response`` (the responses of the generative run the stages use; a row the run did
    not answer counts as an empty response). The ``tokens`` stage counts the text column either way.

    ``engine`` says where ``embed`` and ``neighbours`` compute (this process or a Ray cluster); it is in
    no stage's key, as every engine stores the same results.
    """

    embed: EmbedSpec = field(default_factory=EmbedSpec)
    neighbours: NeighboursSpec = field(default_factory=NeighboursSpec)
    project: ProjectSpec = field(default_factory=ProjectSpec)
    cluster: ClusterSpec = field(default_factory=ClusterSpec)
    sphere: SphereClusterSpec = field(default_factory=SphereClusterSpec)
    probe: ProbeSpec = field(default_factory=ProbeSpec)
    tag: TagSpec = field(default_factory=TagSpec)
    run: str | None = None
    map_from: str = "prompt"
    engine: EngineSpec = field(default_factory=EngineSpec)
