"""The shareable report: one self-contained offline HTML file (and its PDF) of a dataset version."""
