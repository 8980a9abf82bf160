"""`bench extract` end to end on a manifest: summary, then a pure cache hit."""

from click.testing import CliRunner

from bench.commands.extract import command


def test_extract_command_summarises_and_hits_the_cache(manifest_file, tmp_path):
    args = ["--manifest", str(manifest_file), "--backbone", "fbank", "--vad", "webrtc",
            "--vad-option", "aggressiveness=2", "--cache-dir", str(tmp_path / "c")]
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
