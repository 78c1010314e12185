"""Narration audio as numbers: reading any WAV, loudness, true peak, and a scene's track.

Every utterance is brought to one format (float32 mono at :data:`RATE`), faded in
and out over a few milliseconds (no click where it starts or stops), normalised
to :data:`TARGET_LUFS` integrated loudness (EBU R 128 / ITU-R BS.1770, the level
podcasts and lecture platforms ask for) and limited to :data:`CEILING_DBTP` true
peak, measured on a 4× oversampled signal as BS.1770 asks. A track is silence
with each utterance placed at its cue's start.
"""

from __future__ import annotations

import math
from pathlib import Path

import av
import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

RATE = 48_000  # samples per second of every track (AAC and FLAC at the video standard rate)
TARGET_LUFS = -16.0
CEILING_DBTP = -1.0
HEADROOM_DB = 2.0  # utterances are limited this far under the ceiling: AAC lifts speech's peaks by up to ~2 dB
FADE_SECONDS = 0.005
OVERSAMPLE = 4
LIMITER_SECONDS = 0.003  # how gradually the limiter's gain falls and recovers
SILENCE_LUFS = -70.0  # below this an utterance is silence and left as it is


class AudioError(ValueError):
    """A sound file that cannot be used; the message names it."""


def read_sound(path: Path) -> np.ndarray:
    """A sound file (WAV of any sample format, FLAC, MP3, ...; any rate; mono or more channels)
    as float32 mono at :data:`RATE`."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioError(f"{path}: holds no sound")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            chunks = [
                out.to_ndarray().reshape(-1)
                for frame in container.decode(container.streams.audio[0])
                for out in resampler.resample(frame)
            ]
            chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    except (av.FFmpegError, OSError, UnicodeDecodeError) as err:
        raise AudioError(f"{path}: not a readable sound file ({err})") from None
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if not len(samples):
        raise AudioError(f"{path}: a sound file without samples")
    return samples


def write_flac(path: Path, samples: np.ndarray) -> None:
    """``samples`` (float32 mono at :data:`RATE`) as 24-bit FLAC: lossless, a third of the WAV's size."""
    with av.open(str(path), mode="w", format="flac") as container:
        stream = container.add_stream("flac", rate=RATE, layout="mono", format="s32")
        pcm = np.clip(samples, -1.0, 1.0 - 2**-23) * 2**31
        for at in range(0, len(pcm), 4096):
            frame = av.AudioFrame.from_ndarray(pcm[None, at : at + 4096].astype(np.int32), format="s32", layout="mono")
            frame.rate = RATE
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def loudness(samples: np.ndarray) -> float:
    """Integrated loudness in LUFS (at least 0.4 s is measured: shorter sound is padded with silence)."""
    block = int(0.4 * RATE)
    padded = samples if len(samples) >= block else np.pad(samples, (0, block - len(samples)))
    return float(pyloudnorm.Meter(RATE).integrated_loudness(padded.astype(np.float64)))


def true_peak_db(samples: np.ndarray) -> float:
    """The true peak in dBTP: the largest magnitude of the 4× oversampled signal."""
    peak = float(np.max(np.abs(resample_poly(samples, OVERSAMPLE, 1)))) if len(samples) else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def limit(samples: np.ndarray, ceiling_db: float = CEILING_DBTP) -> np.ndarray:
    """The signal with its true peak brought under ``ceiling_db`` by a smooth gain (no hard clipping)."""
    ceiling = 10 ** (ceiling_db / 20) * 0.98  # a little room: the next measurement oversamples the limited signal
    window = max(1, int(LIMITER_SECONDS * RATE))
    out = samples.astype(np.float32)
    for _ in range(4):
        envelope = np.abs(resample_poly(out, OVERSAMPLE, 1))[: len(out) * OVERSAMPLE].reshape(-1, OVERSAMPLE).max(axis=1)
        if envelope.max(initial=0.0) <= ceiling:
            break
        gain = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
        gain = uniform_filter1d(minimum_filter1d(gain, 2 * window + 1), 2 * window + 1)
        out = (out * np.minimum(gain, 1.0)).astype(np.float32)
    return out


def fade(samples: np.ndarray) -> np.ndarray:
    n = min(int(FADE_SECONDS * RATE), len(samples) // 2)
    out = samples.astype(np.float32)
    if n:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out


def normalise(samples: np.ndarray, target: float = TARGET_LUFS) -> np.ndarray:
    """Faded ends, ``target`` LUFS, true peak :data:`HEADROOM_DB` under the ceiling.

    Limiting lowers the loudness of peaky speech a little: gain and limiter alternate
    until the level is within 0.2 LU of ``target``.
    """
    out = fade(samples)
    for _ in range(3):
        level = loudness(out)
        if not math.isfinite(level) or level <= SILENCE_LUFS or abs(target - level) < 0.2:
            break
        out = limit(out * np.float32(10 ** ((target - level) / 20)), CEILING_DBTP - HEADROOM_DB)
    return out


def trim_silence(samples: np.ndarray, threshold_db: float = -45.0) -> np.ndarray:
    """Without the near-silence an engine leaves before and after the words (a 10 ms margin kept)."""
    if not len(samples):
        return samples
    loud = np.flatnonzero(np.abs(samples) > 10 ** (threshold_db / 20) * max(float(np.max(np.abs(samples))), 1e-9))
    if not len(loud):
        return samples[:0]
    margin = int(0.01 * RATE)
    return samples[max(0, loud[0] - margin) : loud[-1] + margin + 1]


def place(utterances: list[tuple[float, np.ndarray]], seconds: float) -> np.ndarray:
    """A track ``seconds`` long: silence, each utterance added from its start time (cut at the end)."""
    track = np.zeros(int(round(seconds * RATE)), np.float32)
    for start, samples in utterances:
        at = int(round(start * RATE))
        piece = samples[: max(0, len(track) - at)]
        track[at : at + len(piece)] += piece
    return track


def match_loudness(track: np.ndarray) -> np.ndarray:
    """A whole track brought to :data:`TARGET_LUFS` (joined scenes drift by a fraction of a LU).

    Its utterances are normalised already: a gain of a few tenths of a dB at most, and
    the limiter only when that gain is upwards.
    """
    level = loudness(track) if len(track) else -math.inf
    if not math.isfinite(level) or level <= SILENCE_LUFS or abs(TARGET_LUFS - level) < 0.05:
        return track
    gain = 10 ** ((TARGET_LUFS - level) / 20)
    out = (track * np.float32(gain)).astype(np.float32)
    return limit(out, CEILING_DBTP - HEADROOM_DB) if gain > 1 else out
