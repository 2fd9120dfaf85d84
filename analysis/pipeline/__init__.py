"""The pipeline: stages, their cache keys and the runner that the CLI and the window share."""
