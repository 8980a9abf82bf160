"""Silero VAD (a small LSTM network) from the ``silero-vad`` package, whose TorchScript model ships inside it.

It gives a speech probability per 512-sample window at 16 kHz (32 ms; window j covers samples
[512 j, 512 j + 512), the model also sees the 64 samples before). A window is speech when its
probability >= ``threshold``; frames take decisions by the half-overlap rule. No download: the
model is read from the installed package with ``silero_vad.load_silero_vad()`` (TorchScript, no
onnxruntime needed).
"""

from __future__ import annotations

import numpy as np

from bench.vad.base import Option, VoiceActivityDetector
from bench.vad.frames import windows_to_frames

WINDOW = 512


def _load_model():
    """The packaged TorchScript model. Importing silero_vad sets torch's global thread count to 1; undo that."""
    import torch

    threads = torch.get_num_threads()
    import silero_vad

    torch.set_num_threads(threads)
    return silero_vad.load_silero_vad(onnx=False)


class SileroVad(VoiceActivityDetector):
    name = "silero"
    summary = "Silero VAD (LSTM, packaged TorchScript model), 32 ms windows; speech when probability >= threshold (0.5)"
    options = {"threshold": Option(0.5, float, 0.0, 1.0, "speech probability at or above which a window is speech")}
    packages = ("silero-vad",)

    def __init__(self, **options):
        super().__init__(**options)
        self._model = None

    def probabilities(self, wave: np.ndarray) -> np.ndarray:
        """wave: float32 [n] at 16 kHz -> speech probability per 512-sample window, float32 [ceil(n / 512)]."""
        import torch

        if self._model is None:
            self._model = _load_model()
        windows = -(-wave.size // WINDOW)
        padded = np.zeros(max(windows, 1) * WINDOW, dtype=np.float32)  # the model refuses inputs under 512 samples
        padded[: wave.size] = wave
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # a tiny LSTM stepping 32 ms at a time: one thread is 10x faster than several
        try:
            with torch.inference_mode():
                probs = self._model.audio_forward(torch.from_numpy(padded)[None], 16_000)
        finally:
            torch.set_num_threads(threads)
        return probs[0, :windows].numpy().astype(np.float32)

    def _frame_speech(self, wave: np.ndarray) -> np.ndarray:
        decisions = self.probabilities(wave) >= self.settings["threshold"]
        return windows_to_frames(decisions, WINDOW, wave.size)

    def __getstate__(self):  # the TorchScript module is reloaded lazily in the other process
        return {"settings": self.settings, "_model": None}
