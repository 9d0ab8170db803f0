"""The conform golden logs (every log the conform tests read), as (name, model, logs, column options) cases.

Used by the engine tests (SPEC §6.5): each case must give identical JSON on
Spark and on DuckDB, and through ``--to-parquet`` and back.
"""

from __future__ import annotations

from pathlib import Path

import conform_support
import test_conform_chase as chase
import test_conform_helpdesk as helpdesk
import test_conform_lifecycle as lifecycle
import test_conform_running_example as running
import test_parallel_conform as parallel

ROOT = Path(__file__).resolve().parent.parent
Case = tuple[str, Path, list[Path], dict[str, str | None]]


def golden(folder: Path) -> list[Case]:
    """Write the golden logs into ``folder`` and list them with their models and options."""
    cases: list[Case] = []
    cases.append(
        (
            "support-tickets",
            ROOT / "examples" / "support-ticket.yaml",
            [ROOT / "examples" / "logs" / "support-tickets.csv"],
            {"case": "ticket_id"},
        )
    )
    (folder / "request.yaml").write_text(running.MODEL, encoding="utf-8")
    cases.append(("running-example", folder / "request.yaml", [running.write_log(folder / "running.csv")], {}))
    (folder / "helpdesk.yaml").write_text(helpdesk.MODEL, encoding="utf-8")
    helpdesk.export(folder / "export.csv")
    cases.append(("helpdesk", folder / "helpdesk.yaml", [folder / "export.csv"], {"timestamp": "Complete Timestamp"}))
    cases.append(("chase", chase.STORY, [chase._log(folder / "chase.csv", chase.CASES)], {}))
    (folder / "help.yaml").write_text(conform_support.MODEL, encoding="utf-8")
    rows, _ = conform_support.simulate(60)
    cases.append(("generated", folder / "help.yaml", [conform_support.write_csv(rows, folder / "gen.csv")], {}))
    xes = conform_support.write_xes(rows, folder / "gen.xes")
    cases.append(("generated-xes", folder / "help.yaml", [xes], {}))
    life_rows, _ = conform_support.simulate(40, lifecycle=True)
    cases.append(
        ("generated-lifecycle", folder / "help.yaml", [conform_support.write_csv(life_rows, folder / "life.csv")], {})
    )
    (folder / "incident.yaml").write_text(lifecycle.MODEL, encoding="utf-8")
    cases.append(("statuses", folder / "incident.yaml", [lifecycle._bpic(folder / "incidents.csv")], {}))
    (folder / "order.yaml").write_text(parallel.ORDER, encoding="utf-8")
    fork = folder / "order.csv"
    fork.write_text(
        "case,activity,timestamp\n"
        + "".join(
            f"{c},{a},2024-01-0{c}T{h:02d}:00:00Z\n"
            for c, steps in (
                (1, "take pack wrap bill ship"),
                (2, "take bill pack wrap ship"),
                (3, "take wrap pack ship"),
            )
            for h, a in enumerate(steps.split(), start=8)
        ),
        encoding="utf-8",
    )
    cases.append(("fork", folder / "order.yaml", [fork], {}))
    return cases
