"""Masked reductions over the frame axis: the primitives every pooler is built from.

Shapes: ``x`` float [B, T, D], ``mask`` bool [B, T] (True = frame counts). All functions are
vectorised over the batch and give finite values and finite gradients for rows whose mask is
all False (they return zeros there), so a caller never has to special-case empty utterances.
"""

from __future__ import annotations

import torch

from poolers.mean_std_cpu import weighted_mean, weighted_mean_var

# Variance floor under the square root of a standard deviation: d sqrt(v)/dv is infinite at 0,
# which turns a constant (or one-frame) utterance into NaN gradients.
STD_FLOOR = 1e-6


def frame_weights(mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Uniform weights over the True frames of each row: [B, T] bool -> [B, T], rows sum to 1.

    A row with no True frame gets all-zero weights (not NaN).
    """
    weights = mask.to(dtype)
    return weights / weights.sum(dim=-1, keepdim=True).clamp_min(1.0)


def weighted_sum(x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Sum over frames with per-frame weights: x [B, T, D], weights [B, T] -> [B, D].

    A batched matrix product, so padding costs one multiply-add per element and no copy; on CPU
    with the gradient to x written in one pass (``poolers.mean_std_cpu.weighted_mean``).
    """
    weights = weights.to(x.dtype)
    if x.device.type == "cpu":
        return weighted_mean(x, weights)
    return torch.bmm(weights.unsqueeze(1), x).squeeze(1)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over the True frames of each row: x [B, T, D], mask [B, T] -> [B, D] (0 if none)."""
    return weighted_sum(x, frame_weights(mask, x.dtype))


def weighted_mean_std(x: torch.Tensor, weights: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Weighted mean and standard deviation over frames; weights [B, T] sum to 1 per row.

    x [B, T, D] -> (mean [B, D], std [B, D]). The variance is the population one (ddof=0,
    Okabe et al. 2018), computed in two passes for accuracy, and floored at ``STD_FLOOR``
    before the square root so that gradients stay finite when it is 0.

    On CPU the mean and variance come from ``poolers.mean_std_cpu`` (the same numbers, in chunks
    of rows that stay in cache, its gradient written in one pass); elsewhere from the formula.
    """
    if x.device.type == "cpu":
        mean, var = weighted_mean_var(x, weights.to(x.dtype))
    else:
        mean = weighted_sum(x, weights)
        centred = x - mean.unsqueeze(1)
        if torch.is_grad_enabled() and centred.requires_grad:
            squared = centred * centred
        else:  # inference: square in place, one [B, T, D] temporary instead of two
            squared = centred.square_()
        var = weighted_sum(squared, weights)
    return mean, var.clamp_min(STD_FLOOR).sqrt()


def masked_mean_std(x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and standard deviation (ddof=0) over the True frames: -> ([B, D], [B, D])."""
    return weighted_mean_std(x, frame_weights(mask, x.dtype))


def masked_std(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Standard deviation (ddof=0, floored, see ``weighted_mean_std``) over the True frames."""
    return masked_mean_std(x, mask)[1]


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Softmax over ``dim`` restricted to True positions; masked positions get exactly 0.

    ``mask`` broadcasts against ``scores``. A slice with no True position yields all zeros
    instead of the NaN that filling with -inf gives, and its gradient is 0.
    """
    lowest = torch.finfo(scores.dtype).min
    probs = torch.softmax(scores.masked_fill(~mask, lowest), dim=dim)
    return probs * mask.to(probs.dtype)


def speech_or_valid(valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
    """The frames a speech-only pooler uses: [B, T] bool, [B, T] bool -> [B, T] bool.

    Speech frames that are also valid; an utterance with no speech frame (the VAD found none)
    falls back to all its valid frames, so it is pooled like ``gap`` rather than becoming empty.
    """
    speech = speech & valid
    has_speech = speech.any(dim=-1, keepdim=True)
    return torch.where(has_speech, speech, valid)
