"""The soak benchmark as CI runs it: bounded, and every request, event and delivery must succeed.

Its timings are printed, never asserted: only the errors it counts are.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import leave_figures

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 45


@pytest.mark.long
def test_the_bounded_soak_runs_mixed_traffic_without_a_single_error(request: pytest.FixtureRequest) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "soak.py"), "--seconds", str(SECONDS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        check=False,
    )
    leave_figures(request, result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "total errors: 0"
