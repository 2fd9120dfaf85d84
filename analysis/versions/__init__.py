"""Versions: what changed between two (diff), and new versions from a review (relabel, review queue)."""
