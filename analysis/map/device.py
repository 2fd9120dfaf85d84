"""Compute device selection: CUDA (fp16) > MPS > CPU."""

from __future__ import annotations


def resolve_device(device: str = "auto") -> str:
    """Return the torch device to use.

    Parameters
    ----------
    device : str, default "auto"
        ``"auto"``, ``"cuda"``, ``"mps"`` or ``"cpu"``; ``"auto"`` takes CUDA when present, then
        Apple's MPS, else the CPU.

    Raises
    ------
    storage.errors.StageInputError
        When a device is asked for by name and is not available.
    """
    from storage.errors import StageInputError

    try:
        import torch
    except ImportError:  # the standalone CPU build embeds with ONNX Runtime and ships no torch
        if device in ("auto", "cpu"):
            return "cpu"
        raise StageInputError(
            f"Device '{device}' needs PyTorch, which this build of Strata does not include; use "
            "--device cpu, or install Strata from source with the torch build for your GPU "
            "(TORCH_SPEC in the Makefile)."
        ) from None
    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if device == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if (device.startswith("cuda") and not cuda) or (device == "mps" and not mps):
        raise StageInputError(f"Device '{device}' is not available here; use --device cpu or auto.")
    if device not in {"cpu", "mps"} and not device.startswith("cuda"):
        raise StageInputError(f"Unknown device '{device}'; use auto, cpu, cuda or mps.")
    return device


def vector_dtype(device: str) -> str:
    """The dtype vectors are computed and stored in on ``device``: ``float16`` on CUDA (half the memory
    and twice the throughput of tensor cores), ``float32`` elsewhere. The one place this rule lives."""
    return "float16" if device.startswith("cuda") else "float32"
