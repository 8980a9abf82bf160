import pytest

from bench.tune.storage import redact


@pytest.mark.parametrize(
    "url, secret",
    [
        ("postgresql://alice:s3cr@t@db.example.org/optuna", "s3cr@t"),
        ("postgresql://alice:p%40ss%3Aw0rd@db.example.org:5432/optuna", "w0rd"),
        ("mysql+pymysql://bob:hunter2@localhost/optuna?charset=utf8mb4", "hunter2"),
        ("postgresql://db.example.org/optuna?user=carol&password=tops3cret", "tops3cret"),
    ],
)
def test_redact_hides_every_password(url, secret):
    shown = redact(url)
    assert secret not in shown and "***" in shown
    assert "db.example.org" in shown or "localhost" in shown  # still says where the study lives


def test_redact_keeps_urls_without_secrets():
    assert redact("sqlite:////tmp/tune/optuna.db") == "sqlite:////tmp/tune/optuna.db"
    assert redact("journal:/shared/tune/sr.log") == "journal:/shared/tune/sr.log"
    assert redact("postgresql://alice@db/optuna?sslmode=require") == "postgresql://alice@db/optuna?sslmode=require"
