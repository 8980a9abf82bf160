"""Corpus adapters. Each module registers one adapter; import them here by name."""

from bench.datasets.registry import create, names, prepare_dataset, register
from bench.datasets import cremad, csv_folder, demo, emodb, iemocap, kemdy19, ravdess, shemo  # noqa: F401  (registers adapters)

__all__ = ["create", "names", "prepare_dataset", "register"]
