"""The embed stage on Ray: a Ray Data pipeline whose actors each load the shipped model once.

The texts to embed (those whose content hash the project lacks, longest first) become blocks of
:data:`analysis.map.embed.CHUNK_ROWS` rows; ``map_batches`` runs them through a fixed pool of
:class:`EmbedBatches` actors (ONNX int8 on CPU workers, PyTorch float16 on GPU workers); the vectors
stream back to this process block by block and are stored as they arrive, so Cancel, resume after a
failure and the cache work as with the local engine. Ray restarts an actor whose process dies and runs
its block again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.engines.model_bundle import ModelBundle, pack_model, unpack_model
from analysis.engines.ray_cluster import Cluster
from analysis.map.embed import CHUNK_ROWS, EmbedSpec
from analysis.map.encoders import BACKENDS, Backend
from analysis.map.encoders.models import model_path
from analysis.progress import NullProgress, Progress, check_cancel


class EmbedBatches:
    """One Ray Data actor: unpacks the shipped model once (per node), loads it once (per actor), then
    turns blocks of ``{"digest", "text"}`` into ``{"digest", "vector"}`` (float32 (m, d))."""

    def __init__(self, bundle: Any, backend: str, device: str, batch_size: int | None) -> None:
        import ray

        cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 1)  # type: ignore[no-untyped-call]
        os.environ["OMP_NUM_THREADS"] = str(max(1, int(cpus)))  # the ONNX backend's thread count
        os.environ["HF_HUB_OFFLINE"] = "1"
        shipped: ModelBundle = ray.get(bundle)  # Ray Data hands constructor arguments over unresolved
        model_dir = unpack_model(shipped)
        self.encoder = BACKENDS[backend].load(model_dir, device, NullProgress())
        self.batch_size = batch_size

    def __call__(self, batch: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        texts = [str(text) for text in batch["text"]]
        return {
            "digest": batch["digest"],
            "vector": self.encoder.encode(texts, self.batch_size, NullProgress()),
        }


def encode_on_ray(
    cluster: Cluster,
    items: list[tuple[bytes, str]],
    spec: EmbedSpec,
    device: str,
    backend: Backend,
    progress: Progress,
    cpus_per_worker: int,
) -> Iterator[tuple[list[bytes], NDArray[np.float32]]]:
    """Vectors of (digest, text) items computed on ``cluster``, yielded block by block.

    Parameters
    ----------
    cluster : Cluster
    items : list of (bytes, str)
        16-byte content digests and their texts.
    spec : EmbedSpec
    device : str
        ``cpu`` or ``cuda``: what every actor runs on (one GPU each on ``cuda``).
    backend : Backend
        The embedding backend the actors load.
    progress : analysis.progress.Progress
        Advanced per block stored; cancellation checked between blocks (the pipeline is then shut
        down and the blocks stored so far are kept).
    cpus_per_worker : int
        CPUs each actor asks for.

    Yields
    ------
    digests : list of bytes
    vectors : numpy.ndarray
        float32 (m, d), L2-normalised, in the order of ``digests``.

    Raises
    ------
    analysis.progress.Cancelled
        When cancelled.
    """
    import pyarrow as pa
    import ray
    import ray.data

    packed = pack_model(model_path(spec.model), backend, progress)
    progress.message(f"Shipping {spec.model} ({packed.size / 2**20:,.0f} MiB) to {cluster.describe()}")
    bundle = ray.put(packed)
    del packed
    gpu = device.startswith("cuda")
    parts = [items[i : i + CHUNK_ROWS] for i in range(0, len(items), CHUNK_ROWS)]
    blocks = [
        pa.table(
            {
                "digest": pa.array([d for d, _ in part], pa.binary(16)),
                "text": pa.array([t for _, t in part], pa.string()),
            }
        )
        for part in parts
    ]
    workers = min(len(blocks), cluster.gpus if gpu else max(1, cluster.cpus // cpus_per_worker))
    dataset = ray.data.from_arrow(blocks).map_batches(
        EmbedBatches,
        batch_size=None,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=cpus_per_worker,
        num_gpus=1 if gpu else 0,
        fn_constructor_args=(bundle, backend.name, device, spec.batch_size),
    )
    progress.message(f"Embedding {len(items):,} new texts on {workers} Ray workers ({backend.label})")
    batches = iter(dataset.iter_batches(batch_size=None, batch_format="numpy"))
    try:
        for batch in batches:
            check_cancel(progress)
            digests = [bytes(d) for d in batch["digest"]]
            yield digests, np.asarray(batch["vector"], dtype=np.float32)
            progress.advance(len(digests))
    finally:
        close = getattr(batches, "close", None)
        if close is not None:  # stops the pipeline's actors now, not when the iterator is collected
            close()
        del bundle
