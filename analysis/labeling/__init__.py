"""Labels without a model and a labeling strategy: probe runs, annotator agreement, active learning,
gold sets and contamination checks."""
