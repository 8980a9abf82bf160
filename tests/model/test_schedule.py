import math

import pytest
import torch
from transformers import get_cosine_schedule_with_warmup

from bench.train.schedule import warmup_cosine_scheduler


def _lrs(make, steps):
    opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
    sched = make(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


@pytest.mark.parametrize("total", [7, 30, 300])
def test_warmup_then_cosine_matches_formula_and_transformers(total):
    ours = _lrs(lambda o: warmup_cosine_scheduler(o, total, 0.1), total)
    warm = math.ceil(0.1 * total)
    hf = _lrs(lambda o: get_cosine_schedule_with_warmup(o, warm, total), total)
    assert ours == pytest.approx(hf, abs=1e-12)
    for s, lr in enumerate(ours):
        expected = s / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm)))
        assert lr == pytest.approx(1e-3 * expected, abs=1e-12)
    assert ours[0] == 0.0 and max(ours) == pytest.approx(1e-3)
    assert ours.index(max(ours)) == warm
