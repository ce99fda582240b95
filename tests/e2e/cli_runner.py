"""Run ``ogust`` commands as separate processes, fast.

Each ``ogust`` process spends ~2 s importing its libraries (FastAPI, SQLAlchemy, Stripe, pydantic…)
before doing anything. A story of twenty-odd commands would take over a minute that way, so most
commands go through a *warm launcher*: a Python process that imported ``ogust.entrypoints.cli`` once
and forks a child per command. The child is a process of its own — its own environment (only what
the test gives), working directory, stdin/stdout/stderr and exit status — and runs the very function
the ``ogust`` script runs (``ogust.entrypoints.cli:main``); only the imports are shared.

Commands marked ``script=True`` (and every command when ``OGUST_E2E_CLI=script``) run the venv's
``ogust`` script itself, as a user types it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

OGUST_SCRIPT = Path(sys.executable).with_name("ogust")
ALL_THROUGH_SCRIPT = os.environ.get("OGUST_E2E_CLI") == "script"
TRACE = bool(os.environ.get("OGUST_E2E_TRACE"))  # print every command and its output (pytest -s)

# The launcher: no thread is started before fork (importing the CLI starts none).
_LAUNCHER = r"""
import json, os, signal, sys, traceback

from ogust.entrypoints.cli import main

requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
replies = os.fdopen(os.dup(1), "w", encoding="utf-8")


def child(command):
    code = 1
    try:
        signal.alarm(120)  # a command that hangs dies (SIGALRM) rather than the test suite
        os.chdir(command["cwd"])
        os.environ.clear()
        os.environ.update(command["env"])
        stdin = os.open(os.devnull, os.O_RDONLY)
        stdout = os.open(command["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        stderr = os.open(command["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(fd, target)
            os.close(fd)
        sys.argv = ["ogust", *command["args"]]
        try:
            main.main(args=command["args"], prog_name="ogust")
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
        finally:
            os._exit(code)


for line in requests:
    replies.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    pids = []
    for command in json.loads(line):
        pid = os.fork()
        if pid == 0:
            child(command)
        pids.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    replies.write(json.dumps(codes) + "\n")
    replies.flush()
"""


@dataclass(frozen=True)
class Done:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    @property
    def json(self):
        try:
            return json.loads(self.out)
        except json.JSONDecodeError as error:
            raise AssertionError(f"{self}\nstdout is not JSON: {error}") from None

    def __str__(self) -> str:
        return f"ogust {' '.join(self.args)} -> exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}"


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]
    script: bool = False


def script(*args: str) -> Command:
    """A command run through the ``ogust`` script itself."""
    return Command(args, script=True)


class WarmLauncher:
    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OGUST_")} | {"PYTHONIOENCODING": "utf-8"}
        self.process = subprocess.Popen([sys.executable, "-c", _LAUNCHER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8", env=env)
        self.folder = Path(tempfile.mkdtemp(prefix="ogust-cli-"))
        self.count = 0

    def run(self, commands: list[tuple[tuple[str, ...], dict[str, str], Path]]) -> list[Done]:
        requests = []
        for args, env, cwd in commands:
            self.count += 1
            requests.append({"args": list(args), "env": env, "cwd": str(cwd),
                             "stdout": str(self.folder / f"{self.count}.out"),
                             "stderr": str(self.folder / f"{self.count}.err")})
        self.process.stdin.write(json.dumps(requests) + "\n")
        self.process.stdin.flush()
        reply = self.process.stdout.readline()
        if not reply:
            raise RuntimeError(f"the warm launcher stopped (exit {self.process.poll()})")
        return [Done(tuple(r["args"]), code, Path(r["stdout"]).read_text(encoding="utf-8"),
                     Path(r["stderr"]).read_text(encoding="utf-8"))
                for r, code in zip(requests, json.loads(reply), strict=True)]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)
        for path in self.folder.iterdir():
            path.unlink()
        self.folder.rmdir()


class OgustCli:
    """``ogust ARGS…`` with OGUST_* variables only from the test."""

    def __init__(self, launcher: WarmLauncher, env: dict[str, str], cwd: Path) -> None:
        self.launcher = launcher
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OGUST_")} | env
        self.cwd = cwd

    def together(self, *commands: tuple[str, ...] | Command) -> list[Done]:
        """Run independent commands side by side; their results in the same order."""
        wanted = [c if isinstance(c, Command) else Command(tuple(c)) for c in commands]
        started = {i: subprocess.Popen([str(OGUST_SCRIPT), *c.args], env=self.env, cwd=self.cwd,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True, encoding="utf-8")
                   for i, c in enumerate(wanted) if c.script or ALL_THROUGH_SCRIPT}
        warm = [i for i in range(len(wanted)) if i not in started]
        results: dict[int, Done] = dict(zip(warm, self.launcher.run(
            [(wanted[i].args, self.env, self.cwd) for i in warm]) if warm else [], strict=True))
        for i, process in started.items():
            out, err = process.communicate(timeout=120)
            results[i] = Done(wanted[i].args, process.returncode, out, err)
        if TRACE:
            for i in range(len(wanted)):
                print(f"\n$ {results[i]}", file=sys.stderr)
        return [results[i] for i in range(len(wanted))]

    def __call__(self, *args: str, script: bool = False) -> Done:
        return self.together(Command(args, script))[0]

    def ok(self, *args: str, script: bool = False) -> Done:
        done = self(*args, script=script)
        assert done.code == 0, str(done)
        return done


def succeeded(*results: Done) -> list[Done]:
    for done in results:
        assert done.code == 0, str(done)
    return list(results)
