"""Validated parameters in, queries out, per resource; the versioned page cache."""
