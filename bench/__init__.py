"""SER pooling benchmark: corpora, folds, features, training, statistics and reports."""

__version__ = "0.1.0"
