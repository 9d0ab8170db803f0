"""`procmap import` on the BPMN MIWG reference files, and the command's behaviour (output, options, errors)."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from lxml import etree

from conftest import EXAMPLES, ORACLES
from procmap.config import Config
from procmap.diagnostics import UsageError
from procmap.interchange.bpmn_import import import_bpmn
from procmap.interchange.process_yaml import dump
from procmap.validate import check_text

MIWG = ORACLES / "miwg"
MIWG_FILES = sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else []
B = "http://www.omg.org/spec/BPMN/20100524/MODEL"
TASKS = "task userTask manualTask serviceTask sendTask receiveTask scriptTask businessRuleTask callActivity".split()
needs_miwg = pytest.mark.skipif(not MIWG_FILES, reason="MIWG reference files not available (../shared/oracles/miwg)")


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def q(tag: str) -> str:
    return f"{{{B}}}{tag}"


def imported_processes(root: etree._Element) -> list[tuple[str, etree._Element | None]]:
    """(pool name, process) for every pool the import must keep, read straight from the XML."""
    collab = root.find(q("collaboration"))
    out: list[tuple[str, etree._Element | None]] = []
    referenced = set()
    for p in collab.findall(q("participant")) if collab is not None else []:
        process = root.find(f"{q('process')}[@id='{p.get('processRef')}']")
        referenced.add(p.get("processRef"))
        out.append((clean(p.get("name")), process))
    for process in root.findall(q("process")):
        if process.get("id") not in referenced and process.find(f"{q('laneSet')}/{q('lane')}") is not None:
            out.append((clean(process.get("name")) or process.get("id"), process))
    return out


def leaf_lane_names(pool: str, process: etree._Element | None) -> list[str]:
    if process is None:
        return [pool]
    names = [
        clean(lane.get("name")) or pool
        for lane in process.iter(q("lane"))
        if lane.find(f"{q('childLaneSet')}/{q('lane')}") is None
    ]
    return names or [pool]


@pytest.fixture(scope="module")
def miwg_imports() -> dict[str, tuple[dict, str, list]]:
    out = {}
    for path in MIWG_FILES:
        result = import_bpmn(path.read_bytes(), path.name)
        out[path.name] = (result.data, dump(result.data, result.header, result.step_comments), result.notes)
    return out


@needs_miwg
@pytest.mark.parametrize("path", MIWG_FILES, ids=lambda p: p.name)
def test_miwg_file_imports_validates_and_keeps_tasks_lanes_and_message_flows(path: Path, miwg_imports) -> None:
    data, text, notes = miwg_imports[path.name]
    checked = check_text(text, f"{path.stem}.yaml", Config())
    assert checked.count(checked.diagnostics[0].severity.__class__.ERROR) == 0 if checked.diagnostics else True
    assert not checked.has_errors, [d.message for d in checked.diagnostics]

    root = etree.parse(str(path)).getroot()
    pools = imported_processes(root)
    step_names = Counter(step["name"] for step in data["steps"])
    task_names = Counter(
        clean(el.get("name"))
        for _, process in pools
        if process is not None
        for tag in TASKS
        for el in process.iter(q(tag))
    )
    assert sum(task_names.values()) > 0
    assert not task_names - step_names, f"tasks lost: {task_names - step_names}"

    lanes = [name for pool, process in pools for name in leaf_lane_names(pool, process)]
    assert len(data["lanes"]) == len(lanes)
    assert sorted(lane["name"] for lane in data["lanes"]) == sorted(lanes)

    message_flows = root.findall(f"{q('collaboration')}/{q('messageFlow')}")
    message_edges = [
        f
        for s in data["steps"]
        for f in s.get("next", [])
        if isinstance(f, dict) and f.get("when", "").startswith("message")
    ]
    # A message flow out of a parallel branch is named, not kept as a flow (it would break the block, SPEC §7.1).
    crossing = [n for n in notes if n.code == "message-flow" and "parallel branch" in n.message]
    assert len(message_edges) + len(crossing) == len(message_flows)
    for mf in message_flows:
        if clean(mf.get("name")) and not any(f"'{mf.get('id')}'" in n.message for n in crossing):
            assert any(f["when"] == f"message: {clean(mf.get('name'))}" for f in message_edges)


@needs_miwg
@pytest.mark.parametrize("path", MIWG_FILES, ids=lambda p: p.name)
def test_miwg_import_renders(path: Path, tmp_path: Path, cli) -> None:
    out, svg = tmp_path / f"{path.stem}.yaml", tmp_path / f"{path.stem}.svg"
    result = cli("import", path, "-o", out)
    assert result.exit_code == 0, result.stderr
    rendered = cli("render", out, "-o", svg, "--highlight", "all")
    assert rendered.exit_code == 0, rendered.stderr
    assert b"<svg" in svg.read_bytes()[:2000]


@needs_miwg
def test_c20_customer_pool_is_the_customer_and_message_partners_are_touchpoints(tmp_path: Path, cli) -> None:
    path = MIWG / "C.2.0.bpmn"
    out = tmp_path / "shop.yaml"
    assert cli("import", path, "-o", out).exit_code == 0
    data = yaml.safe_load(out.read_text())
    kinds = {lane["name"]: lane["kind"] for lane in data["lanes"]}
    assert kinds["Customer"] == "customer"
    assert kinds["Picker"] in ("backstage", "support") and kinds["Packager"] in ("backstage", "support")
    assert [k for k in kinds.values()].count("customer") == 1

    # Every element exchanging a message with the Customer pool, read from the XML itself.
    root = etree.parse(str(path)).getroot()
    customer_process = next(
        root.find(f"{q('process')}[@id='{p.get('processRef')}']")
        for p in root.iter(q("participant"))
        if clean(p.get("name")) == "Customer"
    )
    customer_ids = {el.get("id") for el in customer_process.iter() if el.get("id")}
    names = {el.get("id"): clean(el.get("name")) for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    partners = set()
    for mf in root.iter(q("messageFlow")):
        src, tgt = mf.get("sourceRef"), mf.get("targetRef")
        if (src in customer_ids) != (tgt in customer_ids):
            partners.add(names[tgt if src in customer_ids else src])
    assert len(partners) == 4

    report = cli("audit", out, "--format", "json")
    assert report.exit_code == 0, report.stderr
    audit = json.loads(report.stdout)["processes"][0]
    by_id = {s["id"]: s for s in data["steps"]}
    touchpoint_names = {by_id[t["step"]]["name"] for t in audit["touchpoints"]}
    assert partners <= touchpoint_names
    lane_kind = {lane["id"]: lane["kind"] for lane in data["lanes"]}
    customer_names = {by_id[s]["name"] for s in audit["customer_actions"]}
    assert {"Browse Products on Amazon", "Add Item to Cart", "Pay Order", "Receive items"} <= customer_names
    assert all(lane_kind[by_id[s]["lane"]] == "customer" for s in audit["customer_actions"])
    # the gateways are folded into labelled flows, prefixed by the gateway's name
    add = by_id["add-item-to-cart"]
    assert {f["when"] for f in add["next"]} == {"Done Shopping? Yes", "Done Shopping? No"}
    pay = by_id["pay-order"]
    assert "Payment accepted? Yes" in {f["when"] for f in pay["next"] if isinstance(f, dict)}
    assert data["process"]["start"] == "browse-products-on-amazon"


@needs_miwg
def test_b10_reports_what_procmap_cannot_hold_with_element_ids(cli) -> None:
    proc = cli("import", MIWG / "B.1.0.bpmn")
    assert proc.exit_code == 0
    err = proc.stderr
    for code, element in (
        ("message-flow", "_9428f666-fc8a-41be-8a77-9b280e14e7ae"),  # out of a parallel branch (SPEC §7.3)
        ("data-store", "_b9385abf-d293-40b7-848b-8add4db48415"),
        ("annotation", "_4815ea6a-ede2-489b-8b37-2cdb2835b02c"),
        ("timer", "_e314751e-5c3a-41f2-a1ae-4cb99efa0916"),
    ):
        line = next((ln for ln in err.splitlines() if f"[{code}]" in ln), "")
        assert element in line, (code, err)
        assert line.startswith(f"{MIWG / 'B.1.0.bpmn'}:")
    assert "Traceback" not in err
    assert "[parallel-split]" not in err  # its split is a fork now, its branches ending at end events
    strict = cli("import", MIWG / "B.1.0.bpmn", "--strict")
    assert strict.exit_code == 1
    assert yaml.safe_load(strict.stdout)["version"] == 1  # still written


@needs_miwg
def test_latin1_and_names_with_spaces_and_line_breaks(miwg_imports) -> None:
    data, _, _ = miwg_imports["B.1.0.bpmn"]
    assert "User Task 2" in {s["name"] for s in data["steps"]}  # "User\nTask 2" in the file
    data, _, _ = miwg_imports["A.4.1.bpmn"]
    assert "Lane 2" in {lane["name"] for lane in data["lanes"]}  # "Lane 2 " in the file
    data, _, _ = miwg_imports["C.1.0.bpmn"]
    assert "Rechnung klären" in {s["name"] for s in data["steps"]}


# --------------------------------------------------------------------------- the command


def test_stdout_without_output_and_file_with_it(tmp_path: Path, cli) -> None:
    bpmn = tmp_path / "order.bpmn"
    assert cli("export", EXAMPLES / "support-ticket.yaml", "-o", bpmn).exit_code == 0
    proc = cli("import", bpmn)
    assert proc.exit_code == 0
    text = proc.stdout
    assert text.startswith("# Imported from order.bpmn")
    assert "imported" in proc.stderr
    out = tmp_path / "back.yaml"
    proc = cli("import", bpmn, "-o", out)
    assert proc.exit_code == 0 and proc.stdout == ""
    assert out.read_text() == text
    assert not list(tmp_path.glob(".back.yaml.*"))  # atomic write leaves no temporary file
    same = cli("import", bpmn, "-o", bpmn)
    assert same.exit_code == 2 and "refusing to overwrite" in same.stderr


def test_key_order_follows_the_format_reference(tmp_path: Path, cli) -> None:
    bpmn = tmp_path / "a.bpmn"
    cli("export", EXAMPLES / "loan-application.yaml", "-o", bpmn)
    text = cli("import", bpmn).stdout
    top = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(("#", " "))]
    assert top == ["version", "process", "lanes", "steps"]
    order = ["id", "name", "lane", "description", "channel", "visibility", "owner", "backup", "duration", "sla"]
    for block in text.split("\n  - id: ")[1:]:
        keys = ["id"] + [
            ln.strip().split(":")[0]
            for ln in block.splitlines()[1:]
            if ln.startswith("    ") and not ln.startswith("     ")
        ]
        known = [k for k in keys if k in order]
        assert known == sorted(known, key=order.index)


def test_kind_option_overrides_and_unknown_lane_is_a_usage_error(tmp_path: Path, cli) -> None:
    bpmn = tmp_path / "t.bpmn"
    cli("export", EXAMPLES / "support-ticket.yaml", "-o", bpmn)
    names = {
        lane["name"]: lane["kind"] for lane in yaml.safe_load((EXAMPLES / "support-ticket.yaml").read_text())["lanes"]
    }
    backstage = next(n for n, k in names.items() if k == "backstage")
    proc = cli("import", bpmn, "--kind", f"{backstage}=support")
    assert proc.exit_code == 0
    kinds = {lane["name"]: lane["kind"] for lane in yaml.safe_load(proc.stdout)["lanes"]}
    assert kinds[backstage] == "support"
    bad = cli("import", bpmn, "--kind", f"{backstage[:-1]}x=support")
    assert bad.exit_code == 2
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "did you mean" in bad.stderr
    wrong = cli("import", bpmn, "--kind", f"{backstage}=vip")
    assert wrong.exit_code == 2 and "customer, onstage, backstage, support" in wrong.stderr
    assert cli("import", bpmn, "--kind", "nolane").exit_code == 2


# --------------------------------------------------------------------------- bad and hostile input

DEFS = f'<definitions xmlns="{B}" id="d" targetNamespace="x">'

HOSTILE = {
    "xxe": (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + DEFS
        + '<process id="p"><task id="t" name="&x;"/></process></definitions>'
    ).encode(),
    "billion-laughs": (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>"
        + DEFS
        + '<process id="p"><task id="t" name="&j;"/></process></definitions>'
    ).encode(),
    "deep-nesting": (DEFS + "<documentation>" * 200_000 + "</documentation>" * 200_000 + "</definitions>").encode(),
    "not-xml": b"version: 1\nprocess: {id: a, name: A}\n",
    "binary": bytes(range(256)) * 8,
    "not-bpmn": b'<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>',
    "truncated": (DEFS + '<process id="p"><task id="t" na').encode(),
    "empty": b"",
    "utf16-garbage": "\ufeff<definitions".encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_bad_and_hostile_xml_is_one_line_and_exit_2_fast(name: str, tmp_path: Path, cli) -> None:
    path = tmp_path / f"{name}.bpmn"
    path.write_bytes(HOSTILE[name])
    started = time.process_time()
    with pytest.raises(UsageError) as info:
        import_bpmn(HOSTILE[name], str(path))
    assert time.process_time() - started < 1.0
    assert "\n" not in str(info.value)
    started = time.process_time()
    result = cli("import", path)
    assert time.process_time() - started < 1.0
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("procmap: ") and str(path) in lines[0]
    assert "passwd" not in result.stdout and "root:" not in result.stderr


def test_50_mb_of_nesting_is_refused_quickly(tmp_path: Path, run) -> None:
    path = tmp_path / "huge.bpmn"
    with path.open("wb") as fh:
        fh.write(DEFS.encode())
        fh.write(b"<documentation>" * (50 * 1024 * 1024 // 15))
    proc = run("import", path)
    assert proc.returncode == 2
    assert len(proc.stderr.decode().strip().splitlines()) == 1
    assert b"over the" in proc.stderr  # refused by size before a byte is parsed
    bigger = run("import", path, "--max-file-size", str(60 * 1024 * 1024))
    assert bigger.returncode == 2 and b"Traceback" not in bigger.stderr
    assert len(bigger.stderr.decode().strip().splitlines()) == 1


def test_missing_file_and_directory(tmp_path: Path, cli) -> None:
    for target in (tmp_path / "nope.bpmn", tmp_path):
        proc = cli("import", target)
        assert proc.exit_code == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_reads_standard_input(tmp_path: Path, cli) -> None:
    bpmn = tmp_path / "t.bpmn"
    assert cli("export", EXAMPLES / "support-ticket.yaml", "-o", bpmn).exit_code == 0
    result = cli("import", "-", input=bpmn.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout)["process"]["id"] == "support-ticket"
    assert "from <stdin>" in result.stderr
