"""Chapter videos: scene videos joined without re-encoding, subtitles joined with offsets."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import av
import srt


def probe(path: str | Path) -> dict:
    """Duration (s), size and frame count of a video file."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = stream.frames or sum(1 for _ in container.demux(stream) if _.size)
        duration = float(container.duration / av.time_base) if container.duration else frames / float(stream.average_rate)
        return {"duration": duration, "width": stream.width, "height": stream.height, "frames": frames, "fps": float(stream.average_rate)}


def concat(videos: list[Path], output: Path) -> None:
    """Join videos of identical encoding into ``output`` (written to a temporary name, then renamed)."""
    tmp = output.with_name(f".{output.stem}.{os.getpid()}.tmp{output.suffix}")
    listing = output.with_name(f".{output.stem}.{os.getpid()}.txt")
    listing.write_text("".join(f"file 'file:{Path(v).resolve().as_posix()}'\n" for v in videos), encoding="utf-8")
    try:
        with av.open(str(listing), format="concat", options={"safe": "0", "an": "1"}) as source:
            in_stream = source.streams.video[0]
            with av.open(str(tmp), mode="w") as sink:
                out_stream = sink.add_stream_from_template(template=in_stream)
                for packet in source.demux(in_stream):
                    if packet.dts is None:
                        continue
                    packet.dts = None
                    packet.stream = out_stream
                    sink.mux(packet)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
        listing.unlink(missing_ok=True)


def cues_to_srt(cues: list[tuple[str, float, float]]) -> str:
    """Subtitle text for (text, start s, end s) cues."""
    subs = [
        srt.Subtitle(i + 1, datetime.timedelta(seconds=start), datetime.timedelta(seconds=end), text)
        for i, (text, start, end) in enumerate(cues)
    ]
    return srt.compose(subs)


def join_cues(per_scene: list[tuple[float, list[tuple[str, float, float]]]]) -> list[tuple[str, float, float]]:
    """Scene cues shifted by the running time of the scenes before them: [(duration, cues)] in order."""
    joined, offset = [], 0.0
    for duration, cues in per_scene:
        joined.extend((text, offset + start, offset + end) for text, start, end in cues)
        offset += duration
    return joined
