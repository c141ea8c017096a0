"""The soak test's short run (2 minutes; the long run is documented in the README): mixed traffic against a real
server with no failed good request, RSS growth under 5 % after warm-up, no file-descriptor growth and stable p99
latency (Tests/soak/soak.py)."""
import os
import subprocess
import sys

from conftest import ROOT


def test_two_minute_soak():
    seconds = os.environ.get("GROUPQWEN_SOAK_SECONDS", "120")
    result = subprocess.run([sys.executable, str(ROOT / "Tests" / "soak" / "soak.py"), "--seconds", seconds],
                            capture_output=True, text=True, timeout=float(seconds) + 600)
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
