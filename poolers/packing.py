"""Packing: move the selected frames of each utterance to the front, so heavy operations run
on at most ``max(count)`` frames instead of the whole padded length.

    index, packed_mask = pack_index(mask)       # [B, T] bool -> [B, S] long, [B, S] bool
    packed = gather_frames(x, index)             # [B, T, D] -> [B, S, D]

``S`` is the largest number of selected frames in the batch; slot ``s`` of row ``b`` holds the
``s``-th selected frame of utterance ``b`` (order kept) where ``packed_mask[b, s]`` is True, and
an arbitrary frame of the same utterance otherwise, which callers must mask out.
"""

from __future__ import annotations

import torch


def pack_index(mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Source frame of each packed slot: mask [B, T] bool -> (index [B, S] long, packed_mask [B, S])."""
    counts = mask.sum(dim=-1)
    size = int(counts.max()) if counts.numel() else 0
    # A stable sort of "not selected" puts the selected frames first, in their original order.
    order = torch.sort((~mask).to(torch.uint8), dim=-1, stable=True).indices
    index = order[:, :size]
    packed_mask = torch.arange(size, device=mask.device) < counts.unsqueeze(-1)
    return index, packed_mask


def gather_frames(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Pick frames by index: x [B, T, D], index [B, S] -> [B, S, D]."""
    return torch.gather(x, 1, index.unsqueeze(-1).expand(-1, -1, x.shape[-1]))


def unflatten_frames(flat: torch.Tensor, packed_mask: torch.Tensor) -> torch.Tensor:
    """Inverse of ``x[packed_mask]``: flat [N, E] -> [B, S, E], zeros at unselected slots."""
    out = flat.new_zeros(*packed_mask.shape, flat.shape[-1])
    out[packed_mask] = flat
    return out
