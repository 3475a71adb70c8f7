"""The flow engine: every kind of work (a case, an application, a hazard, an enforcement case …) is a row of
a model with a flow. The flow is declared as data (`declare`: stages, transitions, who may fire each, inputs,
limits, effects, notifications); one mechanism runs it (`engine.fire`, `engine.start`), one sweep marks
overdue work and escalates it (`sweep.sweep`), and one inbox lists the work waiting for a person across every
flow (`inbox`). A model joins by mixing in `FlowSubject` (its hooks) and naming its event model.
See docs/architecture.md, "The flow engine"."""

from .declare import (  # noqa: F401
    NOW,
    Ctx,
    Flow,
    Inc,
    Input,
    Limit,
    Stage,
    Transition,
    flow_for,
    flows,
    flows_of,
    register,
)
