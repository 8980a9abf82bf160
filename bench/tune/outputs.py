"""What `bench tune` leaves in --out: best_params.yaml (read by `bench run --params`) and summary.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench.tune.designs import Target
from bench.tune.space import params_of


@dataclass
class StudyReport:
    target: Target
    study: object
    figures: dict = field(default_factory=dict)  # name -> (path | None, reason)

    def counts(self) -> dict[str, int]:
        import optuna

        states = [t.state for t in self.study.get_trials(deepcopy=False)]
        return {s.name.lower(): states.count(s) for s in optuna.trial.TrialState}

    def best(self):
        try:
            return self.study.best_trial
        except ValueError:  # no complete trial yet
            return None


def _plain(value):
    """numpy scalars -> Python numbers, floats rounded for a readable file."""
    if hasattr(value, "item"):
        value = value.item()
    return round(value, 6) if isinstance(value, float) else value


def best_params(reports: list[StudyReport], design: str, objective: str, study_name: str) -> dict:
    """The mapping `bench run --params` reads: per fold (nested) or flat (dev-speakers)."""
    head = {"design": design, "objective": objective, "study": study_name}
    if design == "nested":
        folds = {}
        for report in reports:
            best = report.best()
            if best is not None:
                folds[int(report.target.fold)] = {k: _plain(v) for k, v in params_of(best).items()}
        return {**head, "folds": folds}
    best = reports[0].best()
    flat = {k: _plain(v) for k, v in params_of(best).items()} if best is not None else {}
    return {**head, "dev_speakers": list(reports[0].target.scoring_speakers), **flat}


def write_best_params(params: dict, path: Path) -> None:
    if params["design"] == "nested":
        covered = ",".join(str(f) for f in params["folds"])
        note = (
            f"# Per-fold parameters of the nested design, for folds {covered or '(none yet)'}.\n"
            f"# `bench run --params` fails on a fold without parameters: run only these with --set folds={covered}\n"
        )
    else:
        note = (
            "# Parameters tuned on the development speakers; `bench run --params` skips every fold that tests one\n"
            "# of them, so no reported test speaker was used to choose these values.\n"
        )
    path.write_text(note + yaml.safe_dump(params, sort_keys=False))


def _fmt(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def write_summary(reports: list[StudyReport], params: dict, info: dict, path: Path, out: Path) -> None:
    lines = [
        f"# Tuning summary: {info['study']}",
        "",
        f"- design: **{info['design']}** ({info['design_text']})",
        f"- objective: {info['objective_text']}",
        f"- pooler: {info['pooler']}; backbone: {info['backbone']}; VAD: {info['vad']}",
        f"- storage: {info['storage']}",
        f"- search space: {info['space']}",
        f"- sampler: TPE (seed {info['sampler_seed']}); pruner: {info['pruner']}; training seed {info['seed']}",
        "",
    ]
    if info.get("warning"):
        lines += [f"> Warning: {info['warning']}", ""]
    lines += [
        "| study | fold | scored on | trained on | never used (test) | complete | pruned | failed | running | best |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        c, best = r.counts(), r.best()
        lines.append(
            f"| {r.study.study_name} | {'-' if r.target.fold is None else r.target.fold} | "
            f"{' '.join(r.target.scoring_speakers)} | {len(r.target.train_speakers)} speakers | "
            f"{' '.join(r.target.unused_speakers) or '-'} | {c['complete']} | {c['pruned']} | {c['fail']} | "
            f"{c['running']} | {_fmt(best.value) if best else '-'} |"
        )
    lines += ["", "## Best parameters", ""]
    for r in reports:
        best = r.best()
        name = r.study.study_name
        if best is None:
            lines.append(f"- {name}: no complete trial")
            continue
        values = ", ".join(f"{k}={_fmt(v)}" for k, v in params_of(best).items())
        lines.append(
            f"- {name}: trial {best.number}, {info['metric']} {_fmt(best.value)} at epoch "
            f"{best.user_attrs.get('best_epoch')}: {values}"
        )
    lines += ["", "## Figures", ""]
    for r in reports:
        for kind, (fig, reason) in r.figures.items():
            lines.append(
                f"- {r.study.study_name} {kind}: "
                + (f"![{kind}]({fig.relative_to(out)})" if fig else f"not drawn ({reason})")
            )
    lines += ["", "## Next", "", info["next"], ""]
    path.write_text("\n".join(lines))
