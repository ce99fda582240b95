"""A real browser for the tests: Debian's Chromium in its own headless mode (no driver, no download).

``.ci/run`` installs ``chromium`` where it is missing, so CI always has one; elsewhere the tests that
need it are skipped, saying so. Screenshots are kept under var/test-artefacts/ (ignored by git)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts"
NO_CHROMIUM = ("Aucun Chromium trouvé (chromium, chromium-browser, google-chrome ; ou OGUST_TEST_CHROMIUM) : "
               "la page « Mon compte » n'est pas vérifiée dans un navigateur. `apt-get install chromium` "
               "(ce que fait .ci/run) pour l'y vérifier.")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,800")


def find_chromium() -> str | None:
    named = os.environ.get("OGUST_TEST_CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    return next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)


@dataclass(frozen=True)
class Chromium:
    executable: str

    def _run(self, url: str, *extra: str) -> subprocess.CompletedProcess:
        with tempfile.TemporaryDirectory(prefix="ogust-chromium-") as profile:
            return subprocess.run([self.executable, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                                  capture_output=True, text=True, timeout=120, check=False)

    def dom(self, url: str) -> str:
        """The page's DOM once the browser has loaded it (its scripts run)."""
        done = self._run(url, "--dump-dom")
        assert done.returncode == 0 and "<html" in done.stdout, (
            f"chromium: exit {done.returncode}\n{done.stderr[-2000:]}")
        return done.stdout

    def screenshot(self, url: str, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        done = self._run(url, f"--screenshot={path}")
        assert done.returncode == 0 and path.exists(), f"chromium: exit {done.returncode}\n{done.stderr[-2000:]}"
        return path


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Table(HTMLParser):
    """The text of each cell of each row of a page's tables; and the page's text by element id."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.by_id: dict[str, str] = {}
        self._cell: list[str] | None = None
        self._ids: list[tuple[str, int]] = []
        self._depth = 0
        self._texts: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        self._depth += 1
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        element_id = dict(attrs).get("id")
        if element_id:
            self._ids.append((element_id, self._depth))
            self._texts[element_id] = []

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if self._ids and self._ids[-1][1] == self._depth:
            element_id, _ = self._ids.pop()
            self.by_id[element_id] = " ".join("".join(self._texts[element_id]).split())
        self._depth -= 1

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        for element_id, _ in self._ids:
            self._texts[element_id].append(data)


def table_and_ids(dom: str) -> tuple[list[list[str]], dict[str, str]]:
    parser = _Table()
    parser.feed(dom)
    return [row for row in parser.rows if row], parser.by_id
