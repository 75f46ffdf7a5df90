"""`serve --workers N`: N forked processes sharing one listening socket, and their parent.

Why a parent that binds and forks rather than SO_REUSEPORT: the port is bound once, so
`--port 0` and "address in use" behave as with one process; there is no window in which
a stale process from an earlier run (same user) silently takes a share of the traffic;
and a worker that is busy accepts fewer connections instead of being dealt its share by
the kernel's hash. The parent runs no event loop and touches no database: it starts the
workers, says when all are listening, and passes SIGTERM/SIGINT on to them. Each worker
is a whole bot (web server, dispatcher, scheduler timetable); the leader election
(storage/repo/leader.py) lets exactly one of them sweep. If a worker dies, the parent
stops the others and exits 1, so that the service manager restarts the whole bot.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable

from bot.cli.common import err_console, explain

STOP_WAIT = 30.0  # seconds a worker is given to finish after SIGTERM, then SIGKILL
READY_WAIT = 120.0  # seconds for every worker to be listening (migrations check included)


class _Stop(Exception):
    """SIGTERM or SIGINT reached the parent."""


def supervise(
    count: int,
    worker: Callable[[Callable[[], None]], None],
    *,
    announce: Callable[[], None],
) -> int:
    """Fork `count` workers, each running `worker(notify)` (notify: it is listening);
    `announce` once all are. Returns the exit status for the parent."""
    ready_r, ready_w = os.pipe()
    pids: list[int] = []
    for number in range(count):
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            _run_worker(number, worker, ready_w)  # never returns
        pids.append(pid)
    os.close(ready_w)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _raise_stop)
    try:
        _wait_ready(ready_r, count, pids)
        announce()
        pid, status = os.waitpid(-1, 0)  # every worker runs until told to stop
        pids.remove(pid)
        err_console.print(f"error: worker {pid} stopped ({_how(status)}); stopping the others")
        return 1
    except _Stop:
        return 0
    except _WorkerFailed as failed:
        pids.remove(failed.pid)
        err_console.print(f"error: worker {failed.pid} failed to start ({failed.how})")
        return 1
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C does not cut the stop short
        _stop_all(pids)
        os.close(ready_r)


class _WorkerFailed(Exception):
    def __init__(self, pid: int, how: str) -> None:
        super().__init__(pid, how)
        self.pid, self.how = pid, how


def _run_worker(number: int, worker: Callable[[Callable[[], None]], None], ready_w: int) -> None:
    code = 0
    try:
        worker(lambda: _notify(ready_w))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:
        message = explain(exc)
        if message is None:
            traceback.print_exc()  # unexpected: as `main` would let it show
            message = type(exc).__name__
        err_console.print(f"error: worker {number}: {message}", soft_wrap=True)
        code = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _notify(ready_w: int) -> None:
    os.write(ready_w, b".")


def _wait_ready(ready_r: int, count: int, pids: list[int]) -> None:
    seen = 0
    deadline = time.monotonic() + READY_WAIT
    while seen < count:
        if time.monotonic() > deadline:
            raise _WorkerFailed(pids[0], f"not listening after {READY_WAIT:.0f} s")
        readable, _, _ = select.select([ready_r], [], [], 0.1)
        if readable:
            seen += len(os.read(ready_r, count))
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid:
            raise _WorkerFailed(pid, _how(status))


def _stop_all(pids: list[int]) -> None:
    """SIGTERM to every worker still running; SIGKILL to any not done within STOP_WAIT."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT
    running = set(pids)
    while running:
        for pid in list(running):
            with contextlib.suppress(ChildProcessError):
                done, _ = os.waitpid(pid, os.WNOHANG)
                if not done:
                    continue
            running.discard(pid)
        if running and time.monotonic() > deadline:
            for pid in running:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            deadline = float("inf")
        if running:
            time.sleep(0.05)


def _raise_stop(_signum: int, _frame: object) -> None:
    raise _Stop


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
