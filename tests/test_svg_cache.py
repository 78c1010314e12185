"""manim's LaTeX and text caches: a cached SVG that a killed process left half written is made again."""

from __future__ import annotations

from manim import MathTex, Text, tempconfig

from netreel.render.run import serialise_svg_files, whole_svg


def cut_short(folder) -> list:
    svgs = sorted(folder.rglob("*.svg"))
    for svg in svgs:
        svg.write_bytes(svg.read_bytes()[: len(svg.read_bytes()) // 3])
    return svgs


def test_a_half_written_svg_in_the_caches_is_made_again(tmp_path):
    serialise_svg_files()
    folders = {"media_dir": str(tmp_path), "tex_dir": str(tmp_path / "Tex"), "text_dir": str(tmp_path / "texts")}
    with tempconfig(folders):
        width = (MathTex(r"\sqrt{x^2}").width, Text("cached words").width)
        cut = cut_short(tmp_path / "Tex") + cut_short(tmp_path / "texts")
        assert cut and not any(whole_svg(svg) for svg in cut)
        assert (MathTex(r"\sqrt{x^2}").width, Text("cached words").width) == width
        assert all(whole_svg(svg) for svg in cut)
