"""The example handler (examples/python/handler.py) loaded as a module, with the shop
settings the tests that drive it share (test_example.py, test_testing.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/python/handler.py"
PACKAGE = "com.example.game"
CATALOGUE = {"gems_100": "100 gems"}


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("handler", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["handler"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


handler = load_example()
