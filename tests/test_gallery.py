"""The gallery page in headless Chromium, served from a local folder over loopback HTTP."""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
from functools import partial

import pytest
import srt

from netreel.render import clips, gallery

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
# Loads the gallery in a frame, checks every thumbnail and link, plays the first video, posts what it found.
PROBE = """<!DOCTYPE html><html><body><iframe id="g" src="index.html" width="1200" height="800"></iframe><script>
const frame = document.getElementById("g");
frame.onload = async () => {
  const doc = frame.contentDocument, report = {title: doc.title, images: [], links: [], video: null};
  for (const img of doc.images) {
    if (!img.complete) await new Promise(r => { img.onload = img.onerror = r; });
    report.images.push([img.getAttribute("src"), img.naturalWidth]);
  }
  for (const a of doc.querySelectorAll("a[href]")) {
    const response = await fetch(a.href, {method: "HEAD"});
    report.links.push([a.getAttribute("href"), response.status]);
  }
  const v = doc.querySelector("video");
  report.tracks = [];
  for (const t of v ? v.querySelectorAll("track") : []) {
    t.track.mode = "hidden";  // a track loads its cues once it is not disabled
    if (t.readyState !== 2) await new Promise(r => { t.onload = t.onerror = r; });
    report.tracks.push([t.srclang, t.default, t.track.cues ? t.track.cues.length : -1]);
  }
  if (v) {
    v.muted = true;
    report.video = await new Promise(resolve => {
      const timer = setTimeout(() => resolve({played: false, error: v.error && v.error.code}), 20000);
      v.addEventListener("timeupdate", () => { if (v.currentTime > 0) { clearTimeout(timer); resolve({played: true, time: v.currentTime}); } });
      v.play().catch(e => { clearTimeout(timer); resolve({played: false, error: String(e)}); });
    });
  }
  await fetch("/result", {method: "POST", body: JSON.stringify(report)});
};
</script></body></html>"""


class Handler(http.server.SimpleHTTPRequestHandler):
    results: list = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        self.results.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by scripts/setup-system")
def test_gallery_loads_in_chromium(rendered, tmp_path):
    folder, manifest = rendered("network")
    clips.export("network", folder, manifest, list(manifest["scenes"]), "mp4", 10)
    root = folder.parent.parent
    page = gallery.write(root)
    text = page.read_text(encoding="utf-8")
    for name, entry in manifest["scenes"].items():
        assert entry["still"] in text and entry["video"] in text
    (root / "probe.html").write_text(PROBE, encoding="utf-8")

    Handler.results = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/probe.html"
    browser = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(1200):
            if Handler.results or browser.poll() is not None:
                break
            threading.Event().wait(0.1)
    finally:
        browser.terminate()
        browser.wait(timeout=30)
        server.shutdown()
    assert Handler.results, "the page never reported back"
    (report,) = Handler.results
    assert report["title"] == "netreel gallery"
    assert len(report["images"]) == len(manifest["scenes"])
    assert all(width > 0 for _, width in report["images"]), report["images"]
    hrefs = [href for href, _ in report["links"]]
    assert all(status == 200 for _, status in report["links"]), [l for l in report["links"] if l[1] != 200]
    assert any(h.endswith("network.mp4") for h in hrefs) and any(h.endswith(".srt") for h in hrefs)
    assert sum(1 for h in hrefs if "/clips/mp4/" in h) == sum(len(e["sections"]) for e in manifest["scenes"].values())
    assert report["video"]["played"], report["video"]
    cues = len(list(srt.parse((folder / manifest["chapter"]["srt"]).read_text(encoding="utf-8"))))
    assert report["tracks"] == [["en", True, cues]]  # the chapter's WebVTT subtitles, loaded by the browser
