"""``.venv/bin/ogust`` for a story run by bash, fast: each ``ogust`` spends ~2 s (more on a loaded
machine) importing its libraries, and the README's story runs some fifty of them.

A server imports ``ogust.entrypoints.cli`` once and listens on a Unix socket; the ``ogust`` the story
calls is a small client that hands it its arguments, environment, working directory and its own
stdin/stdout/stderr (the file descriptors themselves), and exits with the code the command ended
with. The server forks a child per command, which runs the very function the ``ogust`` script runs
(``ogust.entrypoints.cli:main``) as a process of its own; only the imports are shared
(tests/e2e/cli_runner.py does the same for the Python tests). ``OGUST_E2E_CLI=script`` uses the
venv's real ``ogust`` script instead."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SERVER = r"""
import json, os, signal, socket, sys, traceback

from ogust.entrypoints.cli import main

path = sys.argv[1]
listener = socket.socket(socket.AF_UNIX)
listener.bind(path)
listener.listen(16)
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reaped by the kernel
print("ready", flush=True)


def run(connection):
    data, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
    while not data.endswith(b"\n"):
        more = connection.recv(1 << 20)
        if not more:
            os._exit(1)
        data += more
    request = json.loads(data)
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.alarm(300)  # a command that hangs dies rather than the test
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, target in zip(fds, (0, 1, 2)):
            os.dup2(fd, target)
            os.close(fd)
        sys.argv = ["ogust", *request["args"]]
        try:
            main.main(args=request["args"], prog_name="ogust")
            code = 0
        except SystemExit as exit:
            if exit.code is None or isinstance(exit.code, int):
                code = exit.code or 0
            else:
                print(exit.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            connection.sendall(f"{code}\n".encode())
        finally:
            os._exit(code)


while True:
    connection, _ = listener.accept()
    if os.fork() == 0:
        listener.close()
        run(connection)
    connection.close()
"""

_CLIENT = """#!{python} -S
import json, os, socket, sys
server = socket.socket(socket.AF_UNIX)
server.connect({socket!r})
request = json.dumps({{"args": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}).encode() + b"\\n"
sent = socket.send_fds(server, [request], [0, 1, 2])
server.sendall(request[sent:])
reply = b""
while not reply.endswith(b"\\n"):
    chunk = server.recv(64)
    if not chunk:
        break
    reply += chunk
sys.exit(int(reply or b"1"))
"""


@contextmanager
def warm_ogust(bin_dir: Path, real_script: str) -> Iterator[Path]:
    """``bin_dir/ogust``: the warm client (or a link to ``real_script`` when OGUST_E2E_CLI=script)."""
    target = bin_dir / "ogust"
    if os.environ.get("OGUST_E2E_CLI") == "script":
        target.symlink_to(real_script)
        yield target
        return
    socket_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"ogust-warm-{os.getpid()}-{time.monotonic_ns()}.sock"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGUST_")}
    server = subprocess.Popen([sys.executable, "-c", _SERVER, str(socket_path)], stdout=subprocess.PIPE, env=env,
                              text=True)
    try:
        if server.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the warm ogust server did not start (exit {server.poll()})")
        target.write_text(_CLIENT.format(python=sys.executable, socket=str(socket_path)))
        target.chmod(0o755)
        yield target
    finally:
        server.terminate()
        server.wait(timeout=10)
        socket_path.unlink(missing_ok=True)
