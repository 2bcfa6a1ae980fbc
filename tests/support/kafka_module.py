"""The lab's `pyspark.streaming.kafka`, imported on the host from its source in the checkout,
under the name the Spark image installs it as."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from streamlab.config import ROOT

SOURCE = ROOT / "images" / "spark" / "python" / "pyspark_streaming_kafka.py"
NAME = "pyspark.streaming.kafka"


def load() -> ModuleType:
    if NAME in sys.modules:
        return sys.modules[NAME]
    spec = importlib.util.spec_from_file_location(NAME, SOURCE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    return module
