"""Case flows: one module per case kind, each a declarative `Flow` registered with the engine."""


def load() -> None:
    from . import complaint, grid_event  # noqa: F401  (registering is the import's effect)
