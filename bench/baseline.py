"""Before/after in one run: the same benchmark against another revision of the code.

A benchmark imports mentorbot from MENTORBOT_BENCH_CODE when set (it puts that first on
sys.path), else from this checkout. `rerun_at(rev)` extracts revision `rev` (`git
archive`: read-only for the repository) and runs the same script again with that tree
there, labelled MENTORBOT_BENCH_LABEL. Only the code differs: the benchmark's own logic
and printing are this checkout's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
ENV = "MENTORBOT_BENCH_CODE"


def rerun_at(rev: str, script: str, argv: Sequence[str]) -> int:
    """Run `script` with `argv` again, importing the code of revision `rev`."""
    with tempfile.TemporaryDirectory(prefix="mentorbot-baseline-") as tmp:
        archive = subprocess.run(["git", "archive", rev], cwd=HERE, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        env = {
            **os.environ,
            ENV: tmp,
            "PYTHONPATH": tmp,
            "MENTORBOT_BENCH_LABEL": f"baseline {rev}",
        }
        return subprocess.run([sys.executable, script, *argv], env=env, check=False).returncode
