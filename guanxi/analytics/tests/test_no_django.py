import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_analytics_imports_without_django():
    code = (
        "import sys, guanxi.analytics, guanxi.analytics.simulate; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0, result.stderr
