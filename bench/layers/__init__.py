"""Per-layer profiles (`bench layers`): which hidden state of a backbone carries the emotion.

``profile``: fold scores of a convex probe per layer and of the layer mixes; ``outputs``: the
summary with t intervals over folds, the table, the figure and the report section.
"""
