"""Chapter videos: scene videos joined without re-encoding, subtitles joined with offsets.

A joined video carries its subtitles as tracks of their own (``mov_text``, the
subtitle codec MP4 players read; one per language, all with the same timings),
its narration as AAC tracks (one per language, the first the default; Opus in a WebM) and one
chapter marker per scene, so a player's chapter menu lists the scenes.
"""

from __future__ import annotations

import datetime
import os
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import srt
from av.stream import Disposition

from netreel.render import audio
from netreel.render.audio import RATE


def probe(path: str | Path) -> dict:
    """Duration (s), size and frame count of a video file."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = stream.frames or sum(1 for _ in container.demux(stream) if _.size)
        duration = float(container.duration / av.time_base) if container.duration else frames / float(stream.average_rate)
        return {"duration": duration, "width": stream.width, "height": stream.height, "frames": frames, "fps": float(stream.average_rate)}


def muxer_options(path: str | Path) -> dict[str, str]:
    """An mp4's or mov's index at the front of the file (``faststart``): a browser plays it while it loads."""
    return {"movflags": "+faststart"} if Path(path).suffix in (".mp4", ".mov") else {}


MS = Fraction(1, 1000)  # time base of subtitle packets and chapter markers

Cue = tuple[str, float, float]  # (text, start s, end s)

TRACK_LANGUAGES = {"en": "eng", "zh": "zho"}  # catalog language -> ISO 639-2/T, as MP4 names a track's language


@dataclass(frozen=True)
class SoundCodec:
    """How a container's narration is encoded."""

    encoder: str
    decoder: str
    sample_format: str
    frame: int  # samples per encoded frame
    bit_rate: int


AAC = SoundCodec("aac", "aac", "fltp", 1024, 128_000)  # mono speech; at 96 kbit/s AAC lifts espeak's peaks by 1.4 dB, at 128 by 0.4
OPUS = SoundCodec("libopus", "opus", "flt", 960, 96_000)
SOUND_CODECS = {".mp4": AAC, ".mov": AAC, ".webm": OPUS}


def concat(
    videos: list[Path], output: Path, cues: list[Cue] = (), chapters: list[Cue] = (),
    tracks: list[tuple[str, list[Cue]]] = (), audio: list[tuple[str, np.ndarray]] = (),
) -> None:
    """Join videos of identical encoding into ``output`` (written to a temporary name, then renamed).

    ``tracks`` (catalog language, cues) become subtitle tracks in that order, the first
    the default; ``cues`` alone an English one. ``audio`` (catalog language, float32 mono
    samples at :data:`RATE`) become AAC tracks, the first the default; the videos' own
    sound is not copied. ``chapters`` (title, start, end) become chapter markers.
    An mp4 or mov output has its index at the front.
    """
    tracks = list(tracks) or ([("en", cues)] if cues else [])
    tmp = output.with_name(f".{output.stem}.{os.getpid()}.tmp{output.suffix}")
    listing = output.with_name(f".{output.stem}.{os.getpid()}.txt")
    listing.write_text("".join(f"file 'file:{Path(v).resolve().as_posix()}'\n" for v in videos), encoding="utf-8")
    try:
        with av.open(str(listing), format="concat", options={"safe": "0", "an": "1"}) as source:
            in_stream = source.streams.video[0]
            with av.open(str(tmp), mode="w", options=muxer_options(output)) as sink:
                out_stream = sink.add_stream_from_template(template=in_stream)
                codec = SOUND_CODECS.get(output.suffix, AAC)
                pending = [p for i, (lang, samples) in enumerate(audio) for p in _audio_packets(sink, samples, lang, i == 0, codec)]
                pending += [packet for lang, track in tracks for packet in _subtitle_packets(sink, track, lang)]
                pending.sort(key=_seconds)
                if chapters:
                    sink.set_chapters(chapter_markers(chapters))
                for packet in source.demux(in_stream):
                    if packet.dts is None:
                        continue
                    when = float(packet.pts * packet.time_base) if packet.pts is not None else 0.0
                    while pending and _seconds(pending[0]) <= when:
                        sink.mux(pending.pop(0))
                    packet.dts = None
                    packet.stream = out_stream
                    sink.mux(packet)
                for packet in pending:
                    sink.mux(packet)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
        listing.unlink(missing_ok=True)


def _seconds(packet: av.Packet) -> float:
    return float(packet.pts * packet.time_base)


def _audio_packets(sink, samples: np.ndarray, lang: str, default: bool, codec: SoundCodec = AAC) -> list[av.Packet]:
    """A ``codec`` track in ``sink`` with its language (and default flag) and its encoded packets.

    Lossy coding lifts peaks by up to a dB or two: when the decoded track's true peak is
    over the ceiling, the samples are turned down by the excess and encoded again (a few
    tenths of a LU of loudness, where a second limiter pass would cost seconds a minute).
    """
    stream = sink.add_stream(codec.encoder, rate=RATE, layout="mono")
    stream.bit_rate = codec.bit_rate
    stream.metadata["language"] = TRACK_LANGUAGES.get(lang, "und")
    stream.disposition = Disposition.default if default else Disposition(0)
    over = _peak_after(samples, codec) - audio.CEILING_DBTP
    if over > 0:
        samples = samples * np.float32(10 ** (-(over + 0.1) / 20))
    return _encoded(samples, stream, codec)


def _encoded(samples: np.ndarray, encoder, codec: SoundCodec) -> list[av.Packet]:
    """The packets an ``encoder`` of ``codec`` (a stream or a codec context) makes of ``samples``."""
    packets = []
    for at in range(0, len(samples), codec.frame):
        chunk = np.ascontiguousarray(samples[None, at : at + codec.frame], np.float32)
        frame = av.AudioFrame.from_ndarray(chunk, format=codec.sample_format, layout="mono")
        frame.rate, frame.pts, frame.time_base = RATE, at, Fraction(1, RATE)
        packets.extend(encoder.encode(frame))
    packets.extend(encoder.encode(None))
    return packets


def _peak_after(samples: np.ndarray, codec: SoundCodec) -> float:
    """The true peak (dBTP) of ``samples`` encoded as the tracks are and decoded again."""
    encoder = av.CodecContext.create(codec.encoder, "w")
    encoder.sample_rate, encoder.layout, encoder.format, encoder.bit_rate = RATE, "mono", codec.sample_format, codec.bit_rate
    encoder.time_base = Fraction(1, RATE)
    packets = _encoded(samples, encoder, codec)
    decoder = av.CodecContext.create(codec.decoder, "r")
    decoder.extradata = encoder.extradata
    frames = [frame.to_ndarray().reshape(-1) for packet in packets for frame in decoder.decode(packet)]
    return audio.true_peak_db(np.concatenate(frames)) if frames else -float("inf")


def _subtitle_packets(sink, cues: list[Cue], lang: str = "en") -> list[av.Packet]:
    """A ``mov_text`` track in ``sink`` and its packets: a big-endian length, then UTF-8 text."""
    stream = sink.add_mux_stream("mov_text", time_base=MS)
    stream.metadata["language"] = TRACK_LANGUAGES.get(lang, "und")
    packets = []
    for text, start, end in cues:
        data = text.encode("utf-8")
        packet = av.Packet(struct.pack(">H", len(data)) + data)
        packet.stream = stream
        packet.time_base = MS
        packet.pts = packet.dts = round(start * 1000)
        packet.duration = round(end * 1000) - packet.pts
        packets.append(packet)
    return packets


def chapter_markers(chapters: list[Cue]) -> list[dict]:
    """PyAV chapter records for (title, start s, end s)."""
    return [
        {"id": i + 1, "start": round(start * 1000), "end": round(end * 1000), "time_base": MS, "metadata": {"title": title}}
        for i, (title, start, end) in enumerate(chapters)
    ]


def read_chapters(path: str | Path) -> list[Cue]:
    """The chapter markers of a video file as (title, start s, end s)."""
    with av.open(str(path)) as container:
        return [
            (c["metadata"].get("title", ""), float(c["start"] * c["time_base"]), float(c["end"] * c["time_base"]))
            for c in container.chapters()
        ]


def read_sound_tracks(path: str | Path) -> list[tuple[str, np.ndarray]]:
    """Every sound track of a video file as (catalog language, float32 mono samples at :data:`RATE`), in order."""
    languages = {iso: lang for lang, iso in TRACK_LANGUAGES.items()}
    tracks = []
    with av.open(str(path)) as container:
        for stream in container.streams.audio:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            chunks = [out.to_ndarray().reshape(-1) for frame in container.decode(stream) for out in resampler.resample(frame)]
            chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
            container.seek(0)
            code = stream.metadata.get("language", "und")
            tracks.append((languages.get(code, code), np.concatenate(chunks) if chunks else np.zeros(0, np.float32)))
    return tracks


def subtitle_languages(path: str | Path) -> list[str]:
    """The language (ISO 639-2) of each subtitle track of a video file, in order."""
    with av.open(str(path)) as container:
        return [stream.metadata.get("language", "und") for stream in container.streams.subtitles]


def read_subtitles(path: str | Path, track: int = 0) -> list[Cue]:
    """The cues of a video file's subtitle track (``mov_text``; the first by default) as (text, start s, end s)."""
    cues = []
    with av.open(str(path)) as container:
        if len(container.streams.subtitles) <= track:
            return cues
        for packet in container.demux(container.streams.subtitles[track]):
            payload = bytes(packet)
            if packet.pts is None or len(payload) <= 2:
                continue
            (length,) = struct.unpack(">H", payload[:2])
            start = float(packet.pts * packet.time_base)
            cues.append((payload[2 : 2 + length].decode("utf-8"), start, start + float(packet.duration * packet.time_base)))
    return cues


def cues_to_srt(cues: list[tuple[str, float, float]]) -> str:
    """Subtitle text for (text, start s, end s) cues."""
    subs = [
        srt.Subtitle(i + 1, datetime.timedelta(seconds=start), datetime.timedelta(seconds=end), text)
        for i, (text, start, end) in enumerate(cues)
    ]
    return srt.compose(subs)


def cues_to_vtt(cues: list[Cue]) -> str:
    """WebVTT for (text, start s, end s) cues: the subtitles HTML5 video's ``<track>`` reads."""
    def stamp(seconds: float) -> str:
        ms = round(seconds * 1000)
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    return "WEBVTT\n\n" + "".join(f"{stamp(start)} --> {stamp(end)}\n{text}\n\n" for text, start, end in cues)


def audio_languages(path: str | Path) -> list[tuple[str, bool]]:
    """The language (ISO 639-2) of each audio track of a video file and whether it is the default, in order."""
    with av.open(str(path)) as container:
        return [(s.metadata.get("language", "und"), bool(s.disposition & Disposition.default)) for s in container.streams.audio]


def join_cues(per_scene: list[tuple[float, list[tuple[str, float, float]]]]) -> list[tuple[str, float, float]]:
    """Scene cues shifted by the running time of the scenes before them: [(duration, cues)] in order."""
    joined, offset = [], 0.0
    for duration, cues in per_scene:
        joined.extend((text, offset + start, offset + end) for text, start, end in cues)
        offset += duration
    return joined
