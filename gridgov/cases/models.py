"""Models of the case engine."""
