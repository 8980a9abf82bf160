"""2-D CNN front over the time x feature map (``cnn``), after the XLSR/ShEMO paper
(Soltani Tehrani et al., 2023, arXiv 2309.12714): fixed-duration map, stacked blocks of
conv -> batch norm -> ReLU -> max pool, dropout after the last block, then a flat vector.

Taken from the paper: a fixed duration (7 s, zero-padded or truncated: 349 frames on the
25 ms / 20 ms grid of ``bench.audio.num_frames``, the paper's 349 x 1024 map),
a resize of the feature axis (the paper resizes 349 x 1024 to 300 x 300), seven conv blocks with
batch norm, max pooling and dropout. Chosen here (the paper gives no sizes): 3 x 3 kernels,
2 x 2 max pooling per block, the channel widths, dropout 0.2, the feature axis averaged down
to at most 256 bins instead of a 300 x 300 resize, and an adaptive average pool to a fixed
grid before flattening, so that out_dim does not grow with D.

Dropout once, after the last batch norm, not in every block as the paper draws it (ours): dropout
feeding a later batch norm shifts that norm's variance between training and evaluation (Li et al.
2019, "Understanding the disharmony between dropout and batch normalization"). With dropout 0.2 in
each of the seven blocks, the evaluation-mode network on the demo predicted one class for every
validation utterance while its training loss fell, so early stopping kept near-chance weights
(docs/training.md, the cnn rows).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from bench.audio import SAMPLE_RATE, num_frames
from poolers._registry import PoolerConfigError, register_pooler

PAPER_SECONDS = 7.0  # the paper's clip length
PAPER_FRAMES = num_frames(int(PAPER_SECONDS * SAMPLE_RATE))  # 349: frames of a 7 s clip


def fixed_length_map(feats: torch.Tensor, valid: torch.Tensor, max_frames: int) -> torch.Tensor:
    """Zero the padding, then zero-pad or truncate time: [B, T, D] -> [B, max_frames, D]."""
    feats = feats.masked_fill(~valid.unsqueeze(-1), 0.0)
    length = feats.shape[1]
    if length >= max_frames:
        return feats[:, :max_frames]
    return F.pad(feats, (0, 0, 0, max_frames - length))


class ConvBlock(nn.Module):
    """conv 3x3 -> batch norm -> ReLU -> 2x2 max pool (an axis of size 1 is not pooled):
    [B, C_in, H, W] -> [B, C_out, ceil(H/2), ceil(W/2)]."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.norm = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.norm(self.conv(x)))
        kernel = (min(2, x.shape[-2]), min(2, x.shape[-1]))
        return F.max_pool2d(x, kernel, ceil_mode=True)


@register_pooler("cnn")
class ConvolutionalFront(nn.Module):
    """The XLSR/ShEMO 2-D CNN over a fixed [max_frames, min(D, feature_bins)] map -> [B, out_dim],
    out_dim = channels[-1] * grid[0] * grid[1]. Uses valid frames only (no speech mask)."""

    def __init__(
        self,
        in_dim: int,
        max_frames: int = PAPER_FRAMES,
        feature_bins: int = 256,
        channels: tuple[int, ...] = (8, 16, 32, 32, 64, 64, 64),
        grid: tuple[int, int] = (1, 4),
        dropout: float = 0.2,
    ):
        super().__init__()
        channels, grid = tuple(int(c) for c in channels), tuple(int(g) for g in grid)
        if max_frames < 1 or feature_bins < 1 or not channels or min(channels) < 1:
            raise PoolerConfigError(
                f"cnn needs max_frames, feature_bins and channels >= 1, got max_frames={max_frames}, "
                f"feature_bins={feature_bins}, channels={channels}."
            )
        if len(grid) != 2 or min(grid) < 1 or not 0.0 <= dropout < 1.0:
            raise PoolerConfigError(f"cnn needs grid=(rows, cols) >= 1 and dropout in [0, 1), got {grid}, {dropout}.")
        self.in_dim = in_dim
        self.max_frames = max_frames
        self.bins = min(in_dim, feature_bins)
        widths = (1, *channels)
        self.blocks = nn.Sequential(*(ConvBlock(a, b) for a, b in zip(widths, widths[1:])))
        self.dropout = nn.Dropout(dropout)  # after the last batch norm only (module docstring)
        self.grid = grid
        self.out_dim = channels[-1] * grid[0] * grid[1]

    def forward(self, feats: torch.Tensor, valid: torch.Tensor, speech: torch.Tensor) -> torch.Tensor:
        """feats [B, T, D], valid [B, T], speech [B, T] (unused) -> [B, out_dim]."""
        x = fixed_length_map(feats, valid, self.max_frames).unsqueeze(1)  # [B, 1, F, D]
        if self.bins < x.shape[-1]:  # average adjacent feature dims down to `bins` (the paper's resize)
            x = F.adaptive_avg_pool2d(x, (self.max_frames, self.bins))
        x = F.adaptive_avg_pool2d(self.dropout(self.blocks(x)), self.grid)  # [B, C, rows, cols]
        return x.flatten(1)
