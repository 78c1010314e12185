"""Scenes of one's own: the facts they may show are listed, the kit's example runs as written, and a plain
manim Scene renders without a ledger."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
import srt
from PIL import Image

from netreel.render import video
from netreel.render.chapter import read_manifest
from netreel.scenes import kit
from tests.test_cli import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.render
def test_info_facts_lists_every_fact_with_its_shape_dtype_and_meaning():
    from netreel.nets import facts_cache
    from netreel.nets.config import NetConfig
    from netreel.nets.facts.network import MEANINGS

    result = run("info", "network", "--facts")
    assert result.exit_code == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    facts = facts_cache.build("network", NetConfig())
    assert header.startswith(f"# network: {len(facts.arrays)} facts")
    rows = {line.split()[0]: line for line in lines}
    assert set(rows) == set(facts.arrays)
    for key, array in facts.arrays.items():
        assert f"[{', '.join(map(str, array.shape))}]  " in rows[key] and str(array.dtype) in rows[key]
    assert rows["layers.2.hook_a"].endswith(MEANINGS["layers.{layer}.hook_a"].format(layer=2))


def literal_blocks(doc: str) -> dict[str, str]:
    """The literal blocks of a docstring introduced by a file name (````answer.py``::``), by that name."""
    return {name: textwrap.dedent(body).strip() + "\n" for name, body in re.findall(r"``([\w.]+)``::\n\n((?:    .*\n|\n)+)", doc)}


def test_the_readme_shows_the_kits_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, code in literal_blocks(kit.__doc__).items():
        assert code in readme, f"the README does not show the kit's {name} as its docstring writes it"


@pytest.mark.render
def test_the_kits_example_renders_and_passes_the_audit_as_written(tmp_path, own_words):
    blocks = literal_blocks(kit.__doc__)
    assert set(blocks) == {"answer.py", "answer.toml"}
    for name, text in blocks.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = run("render", str(tmp_path / "answer.py"), "--quality", "tiny", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path == tmp_path / "out" / "answer" / "tiny" / "answer.mp4" and video.probe(path)["frames"] > 0
    assert len(list(srt.parse(path.with_suffix(".srt").read_text(encoding="utf-8")))) == 2
    audit = run("audit", str(tmp_path / "answer.py"))
    assert audit.exit_code == 0 and audit.stdout.startswith("ok    network.Answer"), audit.stdout + audit.stderr


PLAIN = '''
from manim import BLUE, Circle, Create, Scene, Square, Transform


class SquareToCircle(Scene):
    def setup(self):
        self.shape = Square(color=BLUE)

    def construct(self):
        self.play(Create(self.shape))
        self.play(Transform(self.shape, Circle()))
'''


@pytest.mark.render
def test_a_plain_manim_scene_renders_without_a_ledger_and_says_so(tmp_path):
    (tmp_path / "shapes.py").write_text(PLAIN, encoding="utf-8")
    result = run("render", str(tmp_path / "shapes.py"), "--quality", "tiny", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if "not audited" in line]
    assert notices == [f"netreel: warning: {tmp_path / 'shapes.py'}:SquareToCircle is a plain manim Scene: "
                       "it has no truth ledger, so its numbers are not audited"]
    folder = tmp_path / "out" / "shapes" / "tiny"
    entry = read_manifest(folder)["scenes"]["SquareToCircle"]
    assert entry["ledger_entries"] == 0 and entry["cues"] == []
    assert video.probe(folder / entry["video"])["frames"] == 20  # two one-second animations at 10 fps
    assert video.probe(folder / "shapes.mp4")["frames"] == 20
    corner = np.asarray(Image.open(folder / entry["still"]))[0, 0, :3]
    assert corner.tolist() == [0, 0, 0], "manim's own background, not netreel's"
    audit = run("audit", str(tmp_path / "shapes.py"))
    assert audit.exit_code != 0 and "Traceback" not in audit.output + audit.stderr
    assert audit.stderr.splitlines()[-1] == f"netreel: {tmp_path / 'shapes.py'}: a plain manim Scene has no truth ledger, so there is nothing to audit"
