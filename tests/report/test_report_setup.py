"""The Setup section lists every value that defines the run, what differs from the paper's recipe,
tuned parameters, package versions and the backbone's revision."""

import pytest

from bench.report import load_run, write_report
from bench.report.setup import resolved_training, run_setup, setup_tables
from bench.train import recipes
from bench.train.config import TrainConfig
from report_jobs_folder import build_jobs_run


def values(run) -> dict:
    return {(title, k): v for title, table in setup_tables(run) for k, v in zip(table["Setting"], table["Value"])}


def test_resolved_training_is_every_field_of_the_recipe_with_overrides():
    name, train = resolved_training({"train": {"epochs": 7, "lr": None}})
    assert name == recipes.DEFAULT_RECIPE
    assert set(train) == set(TrainConfig().to_dict())
    assert train["epochs"] == 7 and train["lr"] == TrainConfig(mode="frozen").learning_rate
    name, train = resolved_training({"recipe": "sap-paper"})
    assert train["mode"] == "finetune" and train["lr"] == 3e-5


def test_setup_marks_differences_from_the_paper_and_records_environment(tmp_path):
    identity = {"source": "hub", "hub_id": "microsoft/wavlm-large", "revision": "main", "commit": "abc123"}
    root = build_jobs_run(
        tmp_path / "run", config_extra={"params": {"lr": 0.004, "pooler.heads": 2}, "backbone_identity": identity}
    )
    run = load_run(root)
    shown = values(run)
    training = "Training (every field; [paper: ...] where the SAP paper's recipe differs)"
    assert shown[(training, "mode")] == "frozen  [paper: finetune]"
    assert shown[(training, "epochs")] == "1  [paper: 30]"
    assert shown[(training, "batch_size")] == "64"  # equal to the paper: no mark
    assert shown[("Tuned parameters", "--params")] == "lr=0.004; pooler.heads=2"
    assert shown[("Data and features", "backbone revision")] == "microsoft/wavlm-large@main, commit abc123"
    assert shown[("Environment", "package torch")] == "2.13.0+cpu"
    setup = run_setup(run)
    assert (setup.folds, setup.mode, setup.validation_kind()) == (5, "frozen", "speaker")
    text = write_report(root, formats=["md"], n_resamples=100, figures=False).markdown.read_text()
    assert text.index("## Setup") < text.index("## Performance per grid cell")


def test_settings_that_only_change_speed_or_memory_are_not_differences(tmp_path):
    train = {"grad_accumulation": 4, "eval_batch_size": 8, "device": "cpu", "memory_budget_gb": 1.0, "epochs": 3}
    root = build_jobs_run(tmp_path / "run", config_extra={"recipe": "sap-paper", "train": train})
    marked = {k[1] for k, v in values(load_run(root)).items() if "[paper:" in v}
    assert marked == {"epochs"}


def test_paper_recipe_run_has_no_difference_marks(tmp_path):
    root = build_jobs_run(tmp_path / "run", config_extra={"recipe": "sap-paper", "train": {}})
    shown = values(load_run(root))
    assert not any("[paper:" in v for v in shown.values())
    assert shown[next(k for k in shown if k[1] == "recipe")].startswith("sap-paper:")


def test_each_backbone_of_a_grid_shows_its_revision(tmp_path):
    features = [
        {"backbone": "wavlm-large", "vad": "webrtc", "revision": "microsoft/wavlm-large@main, commit abc123"},
        {"backbone": "fbank", "vad": "webrtc", "revision": "built-in (log-mel filterbank, no weights)"},
    ]
    shown = values(load_run(build_jobs_run(tmp_path / "run", config_extra={"features": features})))
    assert shown[("Data and features", "backbone revision")] == (
        "wavlm-large: microsoft/wavlm-large@main, commit abc123; fbank: built-in (log-mel filterbank, no weights)"
    )


def test_missing_revision_is_said(tmp_path):
    shown = values(load_run(build_jobs_run(tmp_path / "run", config_extra={"backbone": "wavlm-large"})))
    assert shown[("Data and features", "backbone revision")] == "not recorded in config.yaml"


def test_revision_of_each_kind_of_backbone():
    import backbones
    from backbones.base import resolved_revision

    assert resolved_revision({"source": "hub", "hub_id": "o/m", "revision": "v1", "commit": None}).startswith(
        "o/m@v1, commit not in the local cache"
    )
    assert resolved_revision({"source": "local", "weights_sha256": "ab" * 32}) == f"local, weights sha256 {'ab' * 8}"
    assert resolved_revision(backbones.create("fbank").identity) == "built-in (log-mel filterbank, no weights)"
    assert resolved_revision(backbones.create("tiny-hubert").identity).startswith("built-in (tiny random, seed 0")


def test_a_run_that_recorded_no_defaults_shows_them_resolved_and_says_so(tmp_path):
    """An older config.yaml (min_steps, lr, eval_batch_size left None; no train_defaults, no features):
    every value is shown as the rules resolve it, marked as not recorded, never as a bare "none"."""
    train = {"mode": "frozen", "min_steps": None, "lr": None, "eval_batch_size": None, "batch_size": 16}
    root = build_jobs_run(
        tmp_path / "run",
        config_extra={
            "train": train,
            "backbone": "fbank",
            "vad": "webrtc",
            "vad_options": {},
            "layers": None,
            "dtype": None,
        },
    )
    shown = values(load_run(root))
    training = next(t for t, _ in shown if t.startswith("Training"))
    not_recorded = "as this version resolves it: the run did not record it"
    budget = TrainConfig(mode="frozen").step_budget
    assert shown[(training, "min_steps")] == f"{budget} (frozen default, {not_recorded})  [paper: 0]"
    assert shown[(training, "eval_batch_size")] == f"16 (= batch_size, {not_recorded})"
    assert (
        shown[("Data and features", "backbone revision")]
        == f"built-in (log-mel filterbank, no weights) ({not_recorded})"
    )
    assert shown[("Data and features", "vad_options")].startswith("webrtc: aggressiveness=3;")
    assert shown[("Data and features", "layers")] == f"all: 0 (1 hidden state) ({not_recorded})"
    assert shown[("Data and features", "dtype")] == f"float32 (fbank computes in it) ({not_recorded})"


@pytest.mark.parametrize("train", [{"mode": "nonsense"}, {"no_such_field": 1}])
def test_unresolvable_training_config_is_reported_not_raised(tmp_path, train):
    shown = values(load_run(build_jobs_run(tmp_path / "run", config_extra={"train": train})))
    assert "could not be resolved" in next(v for k, v in shown.items() if k[0] == "Training")


def test_tuned_run_says_so_above_the_tables(tmp_path):
    root = build_jobs_run(tmp_path / "run", config_extra={"params": {"lr": 0.004}})
    text = write_report(root, formats=["md"], n_resamples=100, figures=False).markdown.read_text()
    assert text.index("**Tuned run:**") < text.index("## Performance per grid cell")
    untuned = write_report(build_jobs_run(tmp_path / "plain"), formats=["md"], n_resamples=100, figures=False)
    assert "Tuned run" not in untuned.markdown.read_text()


def test_a_paper_recipe_run_is_compared_with_that_papers_recipe(tmp_path):
    root = build_jobs_run(
        tmp_path / "run", config_extra={"recipe": "xlsr-cnn-paper", "class_set": "5class", "train": {"epochs": 2}}
    )
    shown = values(load_run(root))
    training = "Training (every field; [paper: ...] where the XLSR/ShEMO paper's recipe differs)"
    assert shown[(training, "epochs")] == "2  [paper: 30]"  # an override of the recipe is marked
    assert shown[(training, "optimizer")] == "adam" and shown[(training, "batch_size")] == "4"
    assert shown[("Data and features", "backbone")] == "fbank  [paper: xlsr-53]"
    assert shown[("Data and features", "class_set")] == "5class"
