"""Arrays as BLOBs: float32 / float16 / int32 matrices packed little-endian, and back."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def pack(array: NDArray[np.generic]) -> bytes:
    """Return the C-ordered little-endian bytes of ``array`` (any shape)."""
    return np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<"), copy=False).tobytes()


def unpack(blob: bytes, dtype: str, columns: int | None = None) -> NDArray[np.generic]:
    """Return the array stored in ``blob``.

    Parameters
    ----------
    blob : bytes
        Bytes written by :func:`pack`.
    dtype : str
        ``"float32"``, ``"float16"``, ``"int32"`` or ``"int64"``.
    columns : int, optional
        Width of the matrix; when given the result has shape (n, columns), else (n,).
    """
    flat = np.frombuffer(blob, dtype=np.dtype(dtype).newbyteorder("<"))
    return flat.reshape(-1, columns) if columns else flat
