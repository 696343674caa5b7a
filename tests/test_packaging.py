"""The wheel carries the built-in challenge types, templates and editor schemas, and an
installed p2p finds them from any folder (no reliance on the source checkout)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_an_installed_wheel_ships_challenges_and_templates_and_runs_from_anywhere(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = dist.glob("p2p-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped_types = {Path(n).name for n in names if n.startswith("p2p/challenges/")}
    assert shipped_types == {p.name for p in (ROOT / "challenges").glob("*.yaml")}
    assert {Path(n).name for n in names if n.startswith("p2p/templates/")} == {
        p.name for p in (ROOT / "templates").iterdir() if p.is_file()}
    assert "p2p/py.typed" in names and "p2p/store/loader.py" in names
    assert {Path(n).name for n in names if n.startswith("p2p/schemas/")} == {
        p.name for p in (ROOT / "p2p" / "schemas").glob("*.json")}

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True, timeout=300)
    # The dependencies come from this test run's environment, the package itself only from the wheel.
    site = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([str(venv / "bin" / "p2p"), "types", "--format", "json"], cwd=elsewhere,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert '"pitch-battle"' in proc.stdout
    init = subprocess.run([str(venv / "bin" / "p2p"), "init", "store"], cwd=elsewhere, capture_output=True, text=True,
                          timeout=60)
    assert init.returncode == 0, init.stderr
    assert (elsewhere / "store" / ".p2p" / "schemas" / "entry.json").is_file()  # the installed copy's schemas
    located = subprocess.run([str(venv / "bin" / "python"), "-c", "import p2p; print(p2p.__file__)"], cwd=elsewhere,
                             capture_output=True, text=True).stdout
    assert str(venv) in located  # the installed copy ran, not the checkout
