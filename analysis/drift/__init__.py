"""Drift between row sets: per column, in embeddings, in cluster shares, over time and on the map."""
