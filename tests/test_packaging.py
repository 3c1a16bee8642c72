"""An installed wheel carries the clause library and the templates, and works outside the repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from tests.conftest import ROOT


def test_wheel_ships_library_and_templates_and_loads_them(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("keiyaku-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "contracts/templates/contract.docx" in names
    assert "contracts/templates/packet.html" in names
    assert any(n.startswith("contracts/clauses/") and n.endswith(".yaml") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import contracts.paths as p, contracts.library as l; "
            f"assert str(p.CLAUSES_DIR).startswith({str(site)!r}), p.CLAUSES_DIR; "
            "print(len(l.load_library().documents))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={"PYTHONPATH": str(site)},
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) >= 8
