"""Models of party building."""
