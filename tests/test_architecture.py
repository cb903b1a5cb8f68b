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
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok")
