"""`bench list`: backbones, poolers and datasets with the facts that decide a choice."""

import json
import re

import pytest
from click.testing import CliRunner

import backbones
import poolers
from backbones.catalog import hub_info
from backbones.hub import HUB_ENTRIES
from bench.commands.list import command


def run(*args) -> str:
    result = CliRunner().invoke(command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def use_empty_hf_cache(monkeypatch, folder):
    monkeypatch.setenv("HF_HOME", str(folder))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)


@pytest.fixture(scope="module")
def backbone_rows(tmp_path_factory):
    """`bench list backbones` with an empty HF cache, once: {name: row fields}."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_empty_hf_cache(monkeypatch, tmp_path_factory.mktemp("hf"))
        out = run("backbones")
    return {
        line.split()[0]: line.split() for line in out.splitlines()[1:] if line.strip() and not line.startswith("Also")
    }


def test_backbones_list_every_name_with_hub_id_revision_and_sizes(backbone_rows):
    rows = backbone_rows
    assert set(backbones.names()) <= set(rows)
    for entry in HUB_ENTRIES:
        row = rows[entry.name]
        assert row[1:3] == [str(entry.num_layers), str(entry.hidden_size)]
        assert f"{entry.hub_id} @ {entry.revision}" in " ".join(row)
    assert rows["fbank"][1:4] == ["1", "80", "0"]


def test_parameter_count_from_a_cached_config_is_the_real_models(tmp_path, monkeypatch):
    """The meta-device count from a cached config.json equals the count of that model built for real."""
    use_empty_hf_cache(monkeypatch, tmp_path / "hf")
    tiny = backbones.create("tiny-hubert", device="cpu").model
    snapshot = tmp_path / "hf" / "hub" / "models--facebook--hubert-large-ll60k" / "snapshots" / ("a" * 40)
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text(json.dumps(tiny.config.to_dict()))
    (snapshot.parent.parent / "refs").mkdir()
    (snapshot.parent.parent / "refs" / "main").write_text("a" * 40)
    info = hub_info(next(e for e in HUB_ENTRIES if e.name == "hubert-large"))
    assert info.counted_from == "config.json in cache"
    assert info.parameters == sum(p.numel() for p in tiny.parameters())


def test_standard_config_counts_match_the_published_sizes(backbone_rows):
    """WavLM/HuBERT/wav2vec2 Large have about 315M parameters and Base about 94-95M (their papers' tables)."""
    millions = {name: float(row[3].rstrip("M")) for name, row in backbone_rows.items() if row[3].endswith("M")}
    for name in ("wavlm-large", "hubert-large", "wav2vec2-large-lv60", "xlsr-53"):
        assert 310 < millions[name] < 320, name
    for name in ("wavlm-base", "hubert-base", "wav2vec2-base"):
        assert 93 < millions[name] < 96, name


def _width(formula: str, dim: int) -> int:
    match = re.fullmatch(r"(\d*)D", formula)
    return (int(match.group(1) or 1) * dim) if match else int(formula)


def test_poolers_list_width_formula_parameters_and_defaults():
    out = run("poolers").splitlines()
    rows = {line.split()[0]: line for line in out[1:]}
    assert set(rows) == set(poolers.names())
    for name, line in rows.items():
        formula, params = line.split()[1:3]
        assert _width(formula, 768) == poolers.create(name, 768).out_dim, name  # the formula holds off its fit points
        built = poolers.create(name, 1024)
        assert int(params.replace(",", "")) == sum(p.numel() for p in built.parameters() if p.requires_grad)
        for key, default in poolers.hparams(name).items():
            assert f"{key}={default}" in line
    assert rows["gap"].split()[1:3] == ["D", "0"]


def test_datasets_list_layout_and_class_members():
    out = run("datasets")
    assert "demo: demo:" not in out
    assert "4class (default): angry, happy (+ excited), neutral, sad" in out  # IEMOCAP's merge
    assert "layout:" in out and "class sets:" in out
