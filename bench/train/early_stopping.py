"""Early stopping on the validation total loss, keeping a CPU copy of the best weights."""

from __future__ import annotations

import math

import torch


class EarlyStopping:
    """Stop after ``patience`` epochs without a strictly lower loss; ``restore`` the best weights."""

    def __init__(self, patience: int):
        self.patience = patience
        self.best_loss = math.inf
        self.best_epoch = 0
        self.bad_epochs = 0
        self._best_state: dict[str, torch.Tensor] | None = None

    def update(self, epoch: int, loss: float, model: torch.nn.Module | None) -> bool:
        """Record epoch ``epoch``'s loss; True when it is the best so far (weights copied, unless
        ``model`` is None: then only the bookkeeping is kept)."""
        if loss < self.best_loss:  # NaN never improves
            self.best_loss, self.best_epoch, self.bad_epochs = loss, epoch, 0
            if model is not None:
                self._best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
            return True
        self.bad_epochs += 1
        return False

    @property
    def should_stop(self) -> bool:
        return self.bad_epochs >= self.patience

    def restore(self, model: torch.nn.Module) -> None:
        """Load the best weights back into ``model`` (no-op if no epoch was ever recorded)."""
        if self._best_state is not None:
            model.load_state_dict(self._best_state)
