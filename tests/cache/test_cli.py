"""`bench extract` end to end on a manifest: summary, then a pure cache hit."""

from click.testing import CliRunner

from bench.commands.extract import command


def test_extract_command_summarises_and_hits_the_cache(manifest_file, tmp_path):
    args = [
        "--manifest",
        str(manifest_file),
        "--backbone",
        "fbank",
        "--vad",
        "webrtc",
        "--vad-option",
        "aggressiveness=2",
        "--cache-dir",
        str(tmp_path / "c"),
    ]
    first = CliRunner().invoke(command, args)
    assert first.exit_code == 0, first.output
    assert "10 utterances: 6 extracted, 0 cache hits" in first.output
    assert "1 empty audio, 1 missing audio, 1 too short, 1 unreadable audio" in first.output
    assert "skipped junk (unreadable audio)" in first.output and "disk used:" in first.output
    second = CliRunner().invoke(command, args)
    assert "0 extracted, 6 cache hits, 0 masks computed" in second.output


def test_extract_command_needs_a_corpus(tmp_path):
    result = CliRunner().invoke(command, ["--backbone", "fbank", "--cache-dir", str(tmp_path)])
    assert result.exit_code != 0 and "--dataset NAME" in str(result.exception)


def test_extract_command_takes_a_hub_id_and_revision(manifest_file, tmp_path, monkeypatch):
    """--backbone HUB_ID --revision COMMIT reads that snapshot of the HF cache (offline, a tiny model)."""
    import json

    import backbones

    commit = "89abcdef0123456789abcdef0123456789abcdef"
    snapshot = tmp_path / "hf" / "hub" / "models--microsoft--wavlm-large" / "snapshots" / commit
    backbones.create("tiny-wavlm", device="cpu").model.save_pretrained(snapshot)
    (snapshot / "preprocessor_config.json").write_text(json.dumps({"do_normalize": False}))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    args = [
        "--manifest",
        str(manifest_file),
        "--backbone",
        "microsoft/wavlm-large",
        "--revision",
        commit,
        "--vad",
        "energy",
        "--cache-dir",
        str(tmp_path / "c"),
        "--device",
        "cpu",
    ]
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 0, result.output
    assert "6 extracted" in result.output and "layers 0..2 (3), D=32" in result.output
    twice = CliRunner().invoke(command, [a.replace("microsoft/wavlm-large", f"wavlm-large@{commit}") for a in args])
    assert twice.exit_code != 0 and "already names a revision" in str(twice.exception)
