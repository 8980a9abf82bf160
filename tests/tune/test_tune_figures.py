"""The study figures label their axes with what they show: the objective (validation UA) and the trial."""

import matplotlib.figure
import optuna
import pytest

from bench.tune.figures import study_figures


@pytest.fixture
def saved_figures(monkeypatch):
    """The matplotlib figures the code under test saves, by file name."""
    saved, real = {}, matplotlib.figure.Figure.savefig

    def savefig(self, path, *args, **kwargs):
        saved[str(path).rsplit("/", 1)[-1]] = self
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    return saved


def _study(n=6):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.RandomSampler(seed=0))

    def objective(trial):
        lr, u = trial.suggest_float("lr", 1e-4, 1e-2, log=True), trial.suggest_float("simplex_u1", 0, 1)
        (
            trial.set_user_attr("alpha", u),
            trial.set_user_attr("beta", (1 - u) / 2),
            trial.set_user_attr("gamma", (1 - u) / 2),
        )
        return 0.3 + 0.2 * u + lr

    study.optimize(objective, n_trials=n)
    return study


def test_axes_say_validation_ua_and_trial(tmp_path, saved_figures):
    figures = study_figures(_study(), tmp_path, "f0-", "validation UA")
    assert all(path is not None and path.stat().st_size > 1000 for path, _ in figures.values())
    history = saved_figures["f0-history.png"].axes[0]
    assert history.get_xlabel().startswith("trial") and history.get_ylabel() == "validation UA"
    assert [t.get_text() for t in history.get_legend().get_texts()] == ["validation UA of the trial", "highest so far"]
    assert all(float(t).is_integer() for t in history.get_xticks())  # trial numbers, not 0.5 steps
    importance = saved_figures["f0-importance.png"].axes[0]
    assert "validation UA" in importance.get_xlabel() and importance.get_ylabel() == "tuned parameter"
    assert "Objective Value" not in " ".join(
        ax.get_title() + ax.get_xlabel() + ax.get_ylabel() for fig in saved_figures.values() for ax in fig.axes
    )
    colorbar = saved_figures["f0-simplex.png"].axes[1]
    assert colorbar.get_ylabel() == "validation UA"
