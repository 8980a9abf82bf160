"""Google's WebRTC VAD (the SAP paper's choice) through the ``webrtcvad`` bindings.

It classifies 20 ms windows of 16-bit PCM at 16 kHz; window j covers samples [320 j, 320 j + 320),
so with the grid's 20 ms hop frame i (samples [320 i, 320 i + 400)) takes window i's decision
by the half-overlap rule. The last partial window is zero-padded to 20 ms.
"""

from __future__ import annotations

import numpy as np
import webrtcvad

from bench.vad.base import Option, VoiceActivityDetector
from bench.vad.frames import windows_to_frames

WINDOW = 320  # 20 ms at 16 kHz


class WebRtcVad(VoiceActivityDetector):
    name = "webrtc"
    summary = "WebRTC GMM VAD (webrtcvad), 20 ms windows; aggressiveness 0 (lenient) to 3 (strict), default 3"
    options = {"aggressiveness": Option(3, int, 0, 3, "0 keeps the most audio as speech, 3 the least")}
    packages = ("webrtcvad-wheels", "webrtcvad")

    def _frame_speech(self, wave: np.ndarray) -> np.ndarray:
        pcm = (np.clip(wave, -1.0, 1.0) * 32767).astype("<i2")
        windows = -(-pcm.size // WINDOW)
        pcm = np.pad(pcm, (0, windows * WINDOW - pcm.size))
        data = pcm.tobytes()
        step = WINDOW * 2  # bytes per window
        detector = webrtcvad.Vad(self.settings["aggressiveness"])  # fresh per utterance: it carries state (hangover)
        decisions = np.fromiter(
            (detector.is_speech(data[j * step : (j + 1) * step], 16_000) for j in range(windows)),
            dtype=bool,
            count=windows,
        )
        return windows_to_frames(decisions, WINDOW, wave.size)
