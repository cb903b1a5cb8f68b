"""The static command table of cli.parsing lists every command module, with its own NAME and
HELP."""

import pkgutil
import subprocess
import sys
from importlib import import_module

from insitu_tem.cli import commands
from insitu_tem.cli.parsing import COMMANDS


def test_every_command_module_is_in_the_table_with_its_help():
    names = {
        i.name for i in pkgutil.iter_modules(commands.__path__) if not i.name.startswith("_")
    } - {"common"}
    assert names == {module for module, _ in COMMANDS.values()}
    for name, (module_name, help_text) in COMMANDS.items():
        module = import_module(f"{commands.__name__}.{module_name}")
        assert (module.NAME, module.HELP) == (name, help_text)


def test_help_imports_no_command_scipy_or_metadata():
    script = (
        "import sys\nfrom insitu_tem.cli.main import main\n"
        "try:\n    main(['--help'])\nfinally:\n"
        "    loaded = [m for m in sys.modules if m.startswith('insitu_tem.cli.commands.')]\n"
        "    print(sorted(loaded), 'scipy' in sys.modules, 'importlib.metadata' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    ).stdout
    assert out.strip().splitlines()[-1] == "[] False False"
