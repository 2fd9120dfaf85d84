"""Import: reading a file and a model's outputs, validating them, and writing a dataset version."""
