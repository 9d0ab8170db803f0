"""The one Spark session of a test run (SPEC §6.5's tests): ``local[2]``, two shuffle partitions, no UI.

Tests that need it are marked ``spark`` (left out of the everyday run; ``.ci/run``
has a stage for them) and skip cleanly where Java or pyspark is missing.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

_SESSION: list[Any] = []


def spark_or_skip() -> Any:
    """The shared session, started on first use (a JVM per process: one per pytest worker)."""
    if _SESSION:
        return _SESSION[0]
    if shutil.which("java") is None:
        pytest.skip("no Java on this machine (Spark needs Java 17 or newer)")
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("procmap-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    _SESSION.append(session)
    return session


@pytest.fixture(scope="session")
def spark() -> Any:
    return spark_or_skip()
