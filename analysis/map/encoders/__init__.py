"""Sentence encoders behind the ``embed`` stage: a small registry of backends (``onnx``, ``torch``).

A backend turns a local sentence-transformers folder into an :class:`Encoder` on a device. The embed
stage asks :func:`resolve_backend` for one by name (``auto`` picks the fastest for the device) and never
branches on backend names itself. Vectors of different backends are stored in different embedding sets
(the backend is part of the set's identity), so they never mix.
"""

from __future__ import annotations

# Importing the backends registers them, in auto's order of preference: ONNX int8 first (the CPU),
# then PyTorch (everywhere else).
from analysis.map.encoders import onnx_backend, torch_backend
from analysis.map.encoders.registry import BACKENDS, Backend, Encoder, register_encoder, resolve_backend

__all__ = [
    "BACKENDS",
    "Backend",
    "Encoder",
    "onnx_backend",
    "register_encoder",
    "resolve_backend",
    "torch_backend",
]
