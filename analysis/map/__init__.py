"""The map: embeddings, the neighbour graph, the 2-D projection, clusters and their keywords."""
