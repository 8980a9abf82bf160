"""Masked reductions and packing."""

from __future__ import annotations

import torch

from poolers.masked import masked_mean, masked_softmax, masked_std, speech_or_valid
from poolers.packing import gather_frames, pack_index, unflatten_frames


def test_masked_softmax_is_zero_off_mask_and_on_empty_rows():
    scores = torch.randn(3, 5, requires_grad=True)
    mask = torch.tensor([[1, 1, 0, 1, 0], [0, 0, 0, 0, 0], [0, 0, 1, 0, 0]], dtype=torch.bool)
    probs = masked_softmax(scores, mask)
    torch.testing.assert_close(probs.sum(-1), torch.tensor([1.0, 0.0, 1.0]))
    assert (probs[~mask] == 0).all()
    torch.testing.assert_close(probs[0, mask[0]], torch.softmax(scores[0, mask[0]], 0))
    (probs * torch.randn(3, 5)).sum().backward()
    assert torch.isfinite(scores.grad).all() and (scores.grad[1] == 0).all()


def test_empty_rows_pool_to_zero_with_finite_gradients():
    x = torch.randn(2, 4, 3, requires_grad=True)
    mask = torch.tensor([[True, True, False, False], [False] * 4])
    out = torch.cat([masked_mean(x, mask), masked_std(x, mask)], -1)
    assert (out[1, :3] == 0).all()
    out.sum().backward()
    assert torch.isfinite(x.grad).all()


def test_std_of_constant_frames_has_finite_gradient():
    x = torch.ones(1, 5, 3, requires_grad=True)
    masked_std(x, torch.ones(1, 5, dtype=torch.bool)).sum().backward()
    assert torch.isfinite(x.grad).all()


def test_speech_or_valid_falls_back_only_without_speech():
    valid = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=torch.bool)
    speech = torch.tensor([[0, 1, 0, 0], [0, 0, 0, 0]], dtype=torch.bool)
    expected = [[False, True, False, False], [True, True, False, False]]
    assert speech_or_valid(valid, speech).tolist() == expected


def test_packing_moves_selected_frames_to_the_front_in_order():
    x = torch.arange(2 * 5, dtype=torch.float32).view(2, 5, 1)
    mask = torch.tensor([[0, 1, 0, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.bool)
    index, packed_mask = pack_index(mask)
    assert packed_mask.tolist() == [[True, True, True], [True, False, False]]
    packed = gather_frames(x, index)
    assert packed[0, :, 0].tolist() == [1.0, 3.0, 4.0] and packed[1, 0, 0].item() == 5.0
    restored = unflatten_frames(packed[packed_mask], packed_mask)
    torch.testing.assert_close(restored, packed * packed_mask.unsqueeze(-1))
