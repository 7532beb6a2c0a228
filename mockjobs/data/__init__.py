"""Data: deterministic generation, fixture files, results."""
