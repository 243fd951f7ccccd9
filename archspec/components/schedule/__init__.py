"""Learning-rate schedules, one component per `schedule` kind: noam (the paper's), cosine,
constant. The protocol is base.ScheduleImpl; builtin.py registers the built-in kinds."""

import archspec.spec  # noqa: F401  (see archspec/components/objective/__init__.py)

HOOKS = ("lr",)
"""Every hook an implementation of this group has (base.py gives most a default)."""
