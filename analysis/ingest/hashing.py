"""The content hash of a text: the key of its embedding and of exact-duplicate checks."""

from __future__ import annotations

import hashlib


def content_hashes(values: list[str]) -> list[str]:
    """Return the 128-bit BLAKE2b hex digest of each string (the row's content hash)."""
    return [hashlib.blake2b(v.encode(), digest_size=16).hexdigest() for v in values]
