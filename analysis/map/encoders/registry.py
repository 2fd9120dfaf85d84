"""The registry of embedding backends and the choice of one for a device and model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from analysis.progress import Progress
from storage.errors import StageInputError


class Encoder(Protocol):
    """A loaded model that turns texts into L2-normalised vectors."""

    @property
    def dimension(self) -> int:
        """Length d of each vector."""
        ...

    def encode(self, texts: list[str], batch_size: int | None, progress: Progress) -> NDArray[np.float32]:
        """Vectors of ``texts``, float32 of shape (n, d), L2-normalised, in the order of ``texts``.

        Checks cancellation and advances ``progress`` by the texts of each batch. ``batch_size`` is
        texts per forward pass; None lets the backend choose (its measured best).
        """
        ...

    def close(self) -> None:
        """Release the model (and GPU memory) once every text is encoded."""
        ...


@dataclass(frozen=True)
class Backend:
    """One way of running an embedding model.

    Attributes
    ----------
    name : str
        Registry name (``onnx``, ``torch``), recorded in the embedding set and the stage parameters.
    label : str
        What progress messages call it ("ONNX int8").
    runs_on : Callable[[str], bool]
        Whether it can run on a resolved torch device (``cpu``, ``cuda``, ``cuda:1``, ``mps``).
    preferred_on : Callable[[str], bool]
        Whether ``auto`` picks it on a device (asked in registration order).
    accepts : Callable[[Path], bool]
        Whether it can run the model in this folder (``auto`` skips a backend that cannot).
    load : Callable[[Path, str, Progress], Encoder]
        Load the model folder on a device; may report a one-off preparation step to ``progress``.
    prepare : Callable[[Path, Progress], Path | None]
        Make, once, what loading needs besides the model folder, and return its folder under
        :func:`analysis.map.encoders.onnx_export.cache_root` (None: nothing). A cluster's workers get
        that folder with the model (:mod:`analysis.engines.model_bundle`), so they load without a
        network and without redoing the preparation.
    """

    name: str
    label: str
    runs_on: Callable[[str], bool]
    preferred_on: Callable[[str], bool]
    accepts: Callable[[Path], bool]
    load: Callable[[Path, str, Progress], Encoder]
    prepare: Callable[[Path, Progress], Path | None] = lambda _model_dir, _progress: None


BACKENDS: dict[str, Backend] = {}


def register_encoder(backend: Backend) -> Backend:
    """Add ``backend`` to the registry (``auto`` asks backends in registration order)."""
    BACKENDS[backend.name] = backend
    return backend


def resolve_backend(name: str, device: str, model_dir: Path) -> Backend:
    """The backend to embed with.

    Parameters
    ----------
    name : str
        ``auto`` or a registered backend name.
    device : str
        A resolved device (:func:`analysis.map.device.resolve_device`).
    model_dir : pathlib.Path
        The model folder (:func:`analysis.map.encoders.models.model_path`).

    Raises
    ------
    StageInputError
        When ``name`` is unknown, or the backend cannot run on ``device`` or this model.
    """
    choices = ", ".join(["auto", *BACKENDS])
    if name == "auto":
        for candidate in BACKENDS.values():
            if candidate.preferred_on(device) and candidate.accepts(model_dir):
                return candidate
        raise StageInputError(f"No embedding backend runs {model_dir} on {device} (backends: {choices}).")
    backend = BACKENDS.get(name)
    if backend is None:
        raise StageInputError(f"Unknown embedding backend '{name}'; use one of {choices}.")
    if not backend.runs_on(device):
        raise StageInputError(
            f"The {name} embedding backend does not run on {device}; "
            "use --embed-backend auto, or --device cpu."
        )
    if not backend.accepts(model_dir):
        raise StageInputError(
            f"The {name} embedding backend cannot run the model in {model_dir} (its modules.json has layers "
            "it does not implement); use --embed-backend torch."
        )
    return backend
