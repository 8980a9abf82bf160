"""Convex reference probes: which parameter-free representations a run is checked against.

A probe is logistic regression on the pooled vectors of a pooler with no trained parameters
(``gap``: mean of all frames, ``sap-noattn``: mean of the speech frames, ``stats``: mean and
std of all frames). Its problem is convex, so it reaches its optimum whatever the step budget;
a trained head that falls clearly below the probe on a representation it can express has not
converged (see docs/training.md). Probe jobs appear in a run as pooler ``probe-<pooler>``.

    PROBES                       probe name -> the parameter-free pooler it reads
    is_probe(name)               whether a model name is a probe
    representable_probes(name)   probes whose vectors pooler ``name`` can reproduce exactly
"""

from __future__ import annotations

PROBE_PREFIX = "probe-"
PROBES = {f"{PROBE_PREFIX}{p}": p for p in ("gap", "sap-noattn", "stats")}

# Which parameter-free vectors each trained pooler contains or reproduces with some setting of
# its own parameters, so that a converged head is at least as good as the probe on them:
#   sap with zero query/key weights attends uniformly over speech frames -> a linear map of the
#   speech-frame mean (sap-noattn); sr = [gap; sap] holds both; asp with zero attention logits is
#   the mean and std over frames (stats).
_REPRESENTABLE = {
    "gap": ("gap",),
    "sap-noattn": ("sap-noattn",),
    "sap": ("sap-noattn",),
    "sr": ("gap", "sap-noattn"),
    "stats": ("stats",),
    "asp": ("stats",),
}


def is_probe(name: str) -> bool:
    return name in PROBES


def representable_probes(pooler: str) -> list[str]:
    """The probe names a head with pooler ``pooler`` should match or beat; [] when none applies
    (a probe itself, the SVM baseline, a pooler with no parameter-free special case)."""
    return [f"{PROBE_PREFIX}{p}" for p in _REPRESENTABLE.get(pooler, ())]
