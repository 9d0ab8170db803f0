"""Write random valid processes for the outside checks: python tests/outside/corpus.py DIR [COUNT] [--steps N].

Three generators, mixed so every shape of process is met: the property tests'
random processes (tests/strategies.py: random lanes, text in any script,
dense random branching and loops, 2-50 steps), the benchmark's realistic
episodes (benchmarks/generate.py) and the render benchmark's branchy chains
(benchmarks/bench_render.py).  Deterministic: the same COUNT gives the same files.
With ``--steps N`` every file has exactly N steps (the benchmark generators only).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _module(path: Path, name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def strategy_texts(count: int, max_steps: int = 50) -> list[str]:
    """``count`` processes drawn by Hypothesis from tests/strategies.py, derandomised."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from strategies import processes, yaml_texts  # type: ignore[import-not-found]

    out: list[str] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        if len(out) < count:
            process = data.draw(processes(max_steps=max_steps, max_lanes=7))
            out.append(data.draw(yaml_texts(process)))

    draw()
    return out


def random_texts(count: int, seed: int = 1) -> list[str]:
    """``count`` processes of 20-60 steps with random lanes, branching, joins and loops.

    The shape of the property tests' processes (every step reached from the
    start, extra flows to any step, some labelled), at the sizes where layouts
    get crowded; names of realistic length.
    """
    import random

    import yaml

    rng = random.Random(seed)
    kinds = ("customer", "onstage", "backstage", "support")
    words = "check order refund ticket review approve send call confirm ship bill notify escalate log".split()
    out = []
    for i in range(count):
        n = rng.randint(20, 60)
        lanes = [
            {"id": f"lane{k}", "name": f"Lane {k} " + rng.choice(words), "kind": rng.choice(kinds)}
            for k in range(rng.randint(2, 8))
        ]
        targets: list[list[int]] = [[] for _ in range(n)]
        for child in range(1, n):
            targets[rng.randrange(child)].append(child)
        steps = []
        for k in range(n):
            if targets[k] or rng.random() < 0.5:
                extra = rng.sample(range(n), k=rng.choice((0, 0, 0, 1, 1, 2, 3)))
                targets[k] += [t for t in extra if t not in targets[k]]
            lane = rng.choice(lanes)
            step = {
                "id": f"s{k}",
                "name": " ".join(rng.choice(words) for _ in range(rng.randint(1, 6))).capitalize(),
                "lane": lane["id"],
            }
            flows = []
            for t in targets[k]:
                if len(targets[k]) > 1 and rng.random() < 0.7:
                    label = " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
                    flows.append({"to": f"s{t}", "when": label})
                else:
                    flows.append(f"s{t}")
            if flows:
                step["next"] = flows
            steps.append(step)
        process = {"id": f"random-{i}", "name": f"Random process {i}"}
        out.append(yaml.safe_dump({"version": 1, "process": process, "lanes": lanes, "steps": steps}, sort_keys=False))
    return out


def benchmark_texts(count: int, steps: list[int]) -> list[str]:
    """``count`` processes from the two benchmark generators, cycling through ``steps``."""
    generate = _module(ROOT / "benchmarks" / "generate.py", "procmap_generate")
    bench = _module(ROOT / "benchmarks" / "bench_render.py", "procmap_bench_render")
    out = []
    for i in range(count):
        n = steps[i % len(steps)]
        if i % 2:
            out.append(generate.process_yaml(n, seed=100 + i, pid=f"episodes-{i}"))
        else:
            out.append(bench.generate(n, seed=200 + i))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int, nargs="?", default=100)
    parser.add_argument("--steps", type=int, default=None)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    if args.steps:
        texts = benchmark_texts(args.count, [args.steps])
    else:
        third = args.count // 3
        texts = strategy_texts(third) + random_texts(third) + benchmark_texts(args.count - 2 * third, [20, 50, 80])
    for i, text in enumerate(texts):
        (args.folder / f"random-{i:03d}.yaml").write_text(text, encoding="utf-8")
    print(f"wrote {len(texts)} processes to {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
