"""DESIGN.md rule 1: data/, analysis/, commands/ and cli.py never import Qt."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import insitu_tem

BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PySide6', 'pyqtgraph', 'PyQt5', 'PyQt6', 'shiboken6'}:
            raise ImportError('Qt is blocked: ' + name)
sys.meta_path.insert(0, Block())
import importlib
for module in MODULES:
    importlib.import_module(module)
from insitu_tem.cli.main import command_modules
modules = command_modules()
for name in modules:
    modules[name]
print('ok', len(MODULES))
"""


def qt_free_modules() -> list[str]:
    root = Path(insitu_tem.__file__).parent
    names = ["insitu_tem.cli.main"]
    for package in ("core", "io", "analysis", "workflows", "figures", "cli", "samples"):
        for info in pkgutil.walk_packages([str(root / package)], prefix=f"insitu_tem.{package}."):
            names.append(info.name)
    return names


def test_core_packages_import_with_qt_blocked():
    modules = qt_free_modules()
    assert any(m.startswith("insitu_tem.io.load") for m in modules)
    script = f"MODULES = {modules!r}\n" + BLOCKER
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok")


ROOT = Path(__file__).resolve().parents[1]


def lint_imports(config: Path) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "lint-imports"), "--no-cache", str(config)]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_import_contracts_hold_with_no_cycles():
    result = lint_imports(ROOT / ".importlinter")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and "No import cycles" in result.stdout


def test_the_layer_contract_catches_an_upward_import(tmp_path):
    upside_down = tmp_path / "upside_down.ini"
    upside_down.write_text(
        "[importlinter]\nroot_package = insitu_tem\n\n[importlinter:contract:c]\nname = inverted\n"
        "type = layers\nlayers =\n    insitu_tem.core\n    insitu_tem.workflows\n"
    )
    result = lint_imports(upside_down)
    assert result.returncode != 0 and "insitu_tem.workflows" in result.stdout


def test_samples_may_use_no_analysis_package_but_crystallography():
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    forbidden = set(config["importlinter:contract:samples"]["forbidden_modules"].split())
    analysis = Path(insitu_tem.__file__).parent / "analysis"
    packages = {
        f"insitu_tem.analysis.{info.name}" for info in pkgutil.iter_modules([str(analysis)])
    }
    assert packages - forbidden == {"insitu_tem.analysis.crystal"}
