"""Error modes: where and why the model fails, and whether the data itself is wrong (Qt-free)."""
