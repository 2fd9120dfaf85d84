"""Slices: saved filters, their metrics with honest intervals, and automatic slice discovery (Qt-free)."""
