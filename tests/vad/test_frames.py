"""The half-overlap rule and the smoothing steps, against hand-worked cases."""

import numpy as np

from bench.audio import num_frames
from bench.vad.frames import frame_view, smooth, windows_to_frames


def test_windows_to_frames_half_overlap_rule():
    # 320-sample windows (webrtc): frame i = [320 i, 320 i + 400) holds all of window i -> takes its decision
    decisions = np.array([0, 1, 1, 0, 1], dtype=bool)
    n = 5 * 320
    assert windows_to_frames(decisions, 320, n).tolist() == [False, True, True, False]


def test_windows_to_frames_straddling_windows():
    # 512-sample windows (silero): frame 1 = [320, 720) has 192 samples in window 0, 208 in window 1
    n = 2048
    only_second = windows_to_frames(np.array([0, 1, 0, 0], dtype=bool), 512, n)
    only_first = windows_to_frames(np.array([1, 0, 0, 0], dtype=bool), 512, n)
    assert only_second[1] and not only_first[1]  # 208 >= 200, 192 < 200
    assert only_first[0] and not only_second[0]
    assert only_second.size == only_first.size == num_frames(n)


def test_windows_past_the_end_do_not_count():
    # a padded last window that says speech adds nothing beyond n
    n = 720  # two frames; window of 512 -> 2 windows, the second half-padded
    mask = windows_to_frames(np.array([0, 1], dtype=bool), 512, n)
    assert mask.tolist() == [False, True]  # frame 1 = [320, 720): 208 samples of window 1


def test_frame_view_matches_grid():
    wave = np.arange(1040, dtype=np.float32)
    frames = frame_view(wave)
    assert frames.shape == (num_frames(1040), 400)
    assert frames[2, 0] == 640 and frames[2, -1] == 1039
    assert frame_view(np.zeros(399, np.float32)).shape == (0, 400)


def test_smooth_fills_short_pauses_then_drops_short_bursts():
    mask = np.array([0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0], dtype=bool)
    assert np.array_equal(smooth(mask), mask)  # off by default
    filled = smooth(mask, min_silence_ms=40)  # pauses of < 2 frames filled, edges untouched
    assert filled.tolist() == [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0]
    both = smooth(mask, min_speech_ms=40, min_silence_ms=40)  # then single-frame bursts dropped
    assert both.tolist() == [0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert smooth(np.zeros(0, bool), 100, 100).size == 0
