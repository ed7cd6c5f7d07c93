"""annotator.agreement is pure Python + numpy: no Django anywhere in the package."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import annotator.agreement

PACKAGE = Path(annotator.agreement.__file__).parent
ALLOWED = {"numpy", "annotator"} | set(sys.stdlib_module_names)


def test_importing_the_package_loads_no_django():
    """A fresh interpreter imports the package (and builds a report) without Django."""
    code = (
        "import json, sys\n"
        "import annotator.agreement as a\n"
        "d = a.DocumentData(1, 5, ('x', 'y'), (('x', 0, 2, 'c'), ('y', 0, 3, 'c')), 'ab cd')\n"
        "a.compute_report([d], codes=['c'], coders=['x', 'y'], bootstrap=10)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('django', 'rest_framework'))))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PACKAGE.parent.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads(out.stdout) == []


def test_the_source_imports_only_numpy_and_the_standard_library():
    """Every import statement in the package names numpy, the stdlib or a relative module."""
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in ALLOWED, f"{path.name} imports {name}"
