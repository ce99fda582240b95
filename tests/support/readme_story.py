"""The README's CLI story as one bash script, and a running ``ogust demo`` to play it against.

The story is the ```sh blocks of the README's section « The article's story, with the CLI », in order,
run as written — except that a command whose comment says ``# refused`` must be refused: exit 1
(refused) or 4 (conflict), not a usage error (2) or something not found (3), which would mean the
README is wrong; it is wrapped so that anything else fails the script."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.processes import ogust_command
from tests.support.shop_server import free_port
from tests.support.warm_ogust import warm_ogust

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## The article's story, with the CLI"
_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.S | re.M)
_REFUSED = re.compile(r"\s+#\s*refused\b.*$")


def story_blocks(readme: str) -> list[str]:
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    return _BLOCK.findall(readme[start:end if end >= 0 else None])


def refused_commands(block: str) -> list[str]:
    return [_REFUSED.sub("", line).strip() for line in block.splitlines() if _REFUSED.search(line)]


def story_script(readme: str) -> str:
    """Bash, stopping at the first command that fails (and saying which), or that succeeds when the
    README says it is refused."""
    lines = ["set -euo pipefail",
             "trap 'echo \"ÉCHEC ligne $LINENO : $BASH_COMMAND\" >&2' ERR"]
    for block in story_blocks(readme):
        for line in block.splitlines():
            if _REFUSED.search(line):
                command = _REFUSED.sub("", line).strip()
                said = _quoted("le README dit refusé (code 1 ou 4) : " + command)
                lines.append(f"if {command}; then echo {said} >&2; exit 1; else refused=$?; fi")
                lines.append(f"case $refused in 1|4) ;; *) echo {said}\" ; code $refused\" >&2; exit 1;; esac")
            else:
                lines.append(line)
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@dataclass(frozen=True)
class RunningDemo:
    root: Path  # a folder laid out like a clone: .venv/bin/ogust, var/ written by the demo
    env: dict[str, str]
    api: int
    shop: int

    def bash(self, script: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", "-c", script], cwd=self.root, env=self.env, capture_output=True, text=True,
                              encoding="utf-8", timeout=timeout)

    def ogust(self, *args: str) -> subprocess.CompletedProcess:
        """``.venv/bin/ogust ARGS`` in the demo's folder, as the story calls it."""
        return subprocess.run([str(self.root / ".venv" / "bin" / "ogust"), *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, encoding="utf-8", timeout=300)


@contextmanager
def running_demo(root: Path, startup_timeout: float = 180) -> Iterator[RunningDemo]:
    """``ogust demo`` as ./scripts/run starts it, in ``root``, on free ports; stopped with Ctrl-C (SIGINT)."""
    bin_dir = root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGUST_")} | {"PYTHONUNBUFFERED": "1"}
    env["OGUST_VAR_DIR"] = str(root / "var")  # as ./scripts/run sets it: the demo keeps its data in the clone's var/
    api, shop, stripe, smtp = free_port(), free_port(), free_port(), free_port()
    log = root / "demo.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [*ogust_command(), "demo", "--port", str(api), "--shop-port", str(shop), "--stripe-port", str(stripe),
             "--smtp-port", str(smtp)], cwd=root, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        with warm_ogust(bin_dir, ogust_command()[0]):
            _wait_for(f"http://127.0.0.1:{api}/docs", process, log, startup_timeout)
            yield RunningDemo(root, env, api, shop)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ogust demo stopped (exit {process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"ogust demo did not answer on {url} within {timeout} s:\n{log.read_text()[-4000:]}")
