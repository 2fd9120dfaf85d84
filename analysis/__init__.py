"""The science of Strata: import, embedding, neighbours, projection, clustering and the pipeline (Qt-free)."""
