"""A small second flow for the tests only (not installed in production): an errand a department clerk does and
the town's 指挥中心 checks. It touches no case code: its model, its declaration, and the engine's hooks are
all there is, which is what a new capability writes (see docs/architecture.md, "The flow engine")."""
