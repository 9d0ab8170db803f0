"""The block structure of parallel work (SPEC §7.1): forks, their branches, their joins.

One idea, computed once per process graph and read by the `unmatched-fork`
rule, the pictures and exports (and, later, journeys and conform): which fork
a step's branch belongs to, which join closes each fork, which forks end in
end steps instead, and what breaks the structure.

How: a block-structured process is parsed like a structured program. Every
step gets a *context*: the chain of (fork, branch) frames it lies in, from the
outermost fork in. Walking the steps once in topological order of the
acyclic graph (§5.2's loop edges removed), a flow passes its source's context
on; a fork's flow to its i-th target pushes the frame (fork, i); a join pops
the frame of the fork whose branches all arrived. A step that gets two
different contexts is where a branch escapes its block or the outside breaks
in. Contexts are interned as integers (a frame table with parent pointers),
so comparing two is O(1) and the whole pass is linear in steps and flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ForkKey = tuple[str, int]
"""A fork item: (the forking step's id, the item's index in its `next`)."""

Frame = tuple[ForkKey, int]
"""One level of nesting: (fork, index of the branch in its `all`)."""


@dataclass
class Fork:
    """One fork item and how it is closed."""

    step: str
    item: int
    targets: tuple[str, ...]
    parent: Frame | None = None  # the branch this fork lies in; None at the top level
    join: str | None = None  # the join that closes it (SPEC §7.1 (a))
    closed_by_ends: bool = False  # (b): no branch reaches a join, each ends at an end step

    @property
    def key(self) -> ForkKey:
        return (self.step, self.item)


@dataclass(frozen=True)
class Problem:
    """A break of block structure, for `unmatched-fork`.

    Located at the fork item (``fork``) or, for a join no fork reaches, at that
    step's ``join`` key (``join``); ``message`` names the branch or step at fault.
    """

    message: str
    fork: ForkKey | None = None
    join: str | None = None


@dataclass
class Blocks:
    """The block tree of one process graph."""

    forks: dict[ForkKey, Fork] = field(default_factory=dict)  # in file order of their steps
    branch_of: dict[str, Frame | None] = field(default_factory=dict)  # innermost branch of each step
    fork_of_join: dict[str, ForkKey] = field(default_factory=dict)
    loop_edges: set[tuple[str, str]] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_forks(self) -> bool:
        return bool(self.forks)

    def frames(self, step: str) -> list[Frame]:
        """Every branch ``step`` lies in, outermost first (empty at the top level)."""
        out: list[Frame] = []
        frame = self.branch_of.get(step)
        while frame is not None:
            out.append(frame)
            frame = self.forks[frame[0]].parent
        return out[::-1]

    def parallel(self, a: str, b: str) -> bool:
        """True when ``a`` and ``b`` lie in different branches of one fork (they may run side by side)."""
        fa, fb = self.frames(a), self.frames(b)
        for x, y in zip(fa, fb, strict=False):
            if x != y:
                return x[0] == y[0]
        return False


def _successors(g: Any) -> dict[str, list[tuple[str, int | None]]]:
    """Each step's flows in `next` order, a fork's branches in `all` order: (target, fork item or None)."""
    out: dict[str, list[tuple[str, int | None]]] = {}
    for u, adj in g._adj.items():
        items = sorted(adj.items(), key=lambda kv: kv[1]["index"])  # stable: a fork keeps its `all` order
        out[u] = [(v, d.get("fork")) for v, d in items]
    return out


def blocks_of(g: Any) -> Blocks:
    """Compute the block tree of ``g`` (as :func:`procmap.model.graph.build_graph` makes it)."""
    out = Blocks()
    succ = _successors(g)
    nodes: list[str] = list(g._node)
    index = {n: i for i, n in enumerate(nodes)}
    for u in nodes:
        for _v, item in succ[u]:
            if item is not None and (u, item) not in out.forks:
                targets = tuple(t for t, j in succ[u] if j == item)
                out.forks[(u, item)] = Fork(u, item, targets)
    is_join = {n for n, d in g._node.items() if d.get("join")}
    if not out.forks and not is_join:
        return out

    # §5.2's walk: loop edges, then a topological order of what is left. A fork's
    # flow back onto the walk's path is never a loop edge (§7.1): it is a break.
    start = g.graph.get("start")
    colour: dict[str, int] = {}
    post: list[str] = []
    fork_back: dict[tuple[str, str], int] = {}
    reached: set[str] = set()
    roots = ([start] if start in g._node else []) + nodes
    for root in roots:
        if root in colour:
            continue
        colour[root] = 1
        stack = [(root, 0)]
        while stack:
            u, i = stack[-1]
            s = succ[u]
            if i < len(s):
                stack[-1] = (u, i + 1)
                v, item = s[i]
                if colour.get(v) == 1:
                    if item is None:
                        out.loop_edges.add((u, v))
                    else:
                        fork_back[(u, v)] = item
                elif v not in colour:
                    colour[v] = 1
                    stack.append((v, 0))
            else:
                colour[u] = 2
                post.append(u)
                stack.pop()
        if root == start:
            reached = set(post)
    order = post[::-1]

    # Interned contexts: ctx 0 is the top level; ctx k > 0 is frame_of[k] on parent_of[k].
    parent_of: list[int] = [0]
    frame_of: list[Frame | None] = [None]
    depth_of: list[int] = [0]
    interned: dict[tuple[int, Frame], int] = {}

    def child(ctx: int, frame: Frame) -> int:
        key = (ctx, frame)
        got = interned.get(key)
        if got is None:
            got = interned[key] = len(parent_of)
            parent_of.append(ctx)
            frame_of.append(frame)
            depth_of.append(depth_of[ctx] + 1)
        return got

    def chain(ctx: int) -> list[Frame]:
        out_: list[Frame] = []
        while ctx:
            frame = frame_of[ctx]
            assert frame is not None
            out_.append(frame)
            ctx = parent_of[ctx]
        return out_[::-1]

    incoming: dict[str, list[tuple[str, int]]] = {n: [] for n in nodes}
    ctx_in: dict[str, int] = {}  # the context a step runs in (a join: its branches' enclosing one)
    blamed: set[tuple[Any, ...]] = set()
    escaped: set[Frame] = set()  # branches already reported for leaving their block

    def report(problem: Problem, *key: Any) -> None:
        if key not in blamed:
            blamed.add(key)
            out.problems.append(problem)

    def branch_name(frame: Frame) -> str:
        return f"'{out.forks[frame[0]].targets[frame[1]]}'"

    def clash(v: str, a: tuple[str, int], b: tuple[str, int]) -> None:
        """Two different contexts meet at ``v``: say which branch escapes, at its fork."""
        ca, cb = chain(a[1]), chain(b[1])
        k = 0
        while k < len(ca) and k < len(cb) and ca[k] == cb[k]:
            k += 1
        fa = ca[k] if k < len(ca) else None
        fb = cb[k] if k < len(cb) else None
        if fa is not None and fb is not None and fa[0] == fb[0]:
            fa, fb = min(fa, fb, key=lambda fr: fr[1]), max(fa, fb, key=lambda fr: fr[1])
            f = out.forks[fa[0]]
            report(
                Problem(
                    f"branches {branch_name(fa)} and {branch_name(fb)} of the fork at '{f.step}' meet at '{v}', "
                    f"which is not a join: give '{v}' `join: all` (and let every branch reach it)",
                    fork=fa[0],
                ),
                "meet",
                fa[0],
                v,
            )
            return
        if fa is None and fb is not None:
            a, b, fa, fb = b, a, fb, fa
        assert fa is not None
        escaped.add(fa)
        f = out.forks[fa[0]]
        other = f"from '{b[0]}' in branch {branch_name(fb)} of the fork at '{fb[0][0]}'" if fb else f"from '{b[0]}'"
        report(
            Problem(
                f"branch {branch_name(fa)} of the fork at '{f.step}' runs into '{v}', which is also reached {other} "
                "outside the branch: a branch's steps are its own, and branches meet only at their fork's join",
                fork=fa[0],
            ),
            "escape",
            fa[0],
            v,
        )

    arrivals: dict[ForkKey, dict[str, set[int]]] = {}  # fork -> join -> branches that arrived
    for v in order:
        ins = incoming[v]
        if v in is_join:
            framed = [(u, c) for u, c in ins if c]
            if not framed:
                ctx_in[v] = ins[0][1] if ins else 0
                if v in reached:
                    report(
                        Problem(
                            f"step '{v}' has `join: all` but no fork's branches reach it: a join closes the "
                            "branches of one fork (`next: [{all: [a, b]}]`); remove `join` if it is an ordinary step",
                            join=v,
                        ),
                        "nojoin",
                        v,
                    )
            else:
                # The fork it closes: the shallowest branch arriving (a deeper one escaped a nested block).
                shallow = min((c for _, c in framed), key=lambda c: depth_of[c])
                top = frame_of[shallow]
                assert top is not None
                fork, enclosing = top[0], parent_of[shallow]
                ctx_in[v] = enclosing
                for u, c in ins:
                    frame = frame_of[c]
                    if c and parent_of[c] == enclosing and frame is not None and frame[0] == fork:
                        arrivals.setdefault(fork, {}).setdefault(v, set()).add(frame[1])
                    elif c and depth_of[c] > depth_of[enclosing] + 1 and chain(c)[depth_of[enclosing]][0] == fork:
                        frames = chain(c)
                        arrivals.setdefault(fork, {}).setdefault(v, set()).add(frames[depth_of[enclosing]][1])
                        inner = frames[-1]
                        escaped.add(inner)
                        report(
                            Problem(
                                f"branch {branch_name(inner)} of the fork at '{inner[0][0]}' leaves its block at "
                                f"'{u}' for the join '{v}' of an outer fork: a nested fork needs its own join "
                                "inside the branch",
                                fork=inner[0],
                            ),
                            "nested",
                            inner[0],
                        )
                    else:
                        f = out.forks[fork]
                        report(
                            Problem(
                                f"the join '{v}' of the fork at '{f.step}' is also reached from '{u}' without "
                                "passing through the fork: a join is reached only by its fork's branches",
                                fork=fork,
                            ),
                            "bypass",
                            fork,
                            v,
                        )
                        arrivals.setdefault(fork, {}).setdefault(v, set())
        else:
            first = ins[0] if ins else None
            ctx_in[v] = first[1] if first else 0
            for other in ins[1:]:
                if other[1] != ctx_in[v]:
                    assert first is not None
                    clash(v, first, other)
        after = ctx_in[v]
        for w, item in succ[v]:
            if (v, w) in out.loop_edges:
                continue
            if item is not None:
                f = out.forks[(v, item)]
                if f.parent is None and after:
                    f.parent = frame_of[after]
                if (v, w) in fork_back:
                    continue
                c = child(after, ((v, item), f.targets.index(w)))
            else:
                c = after
            if v in reached or w not in reached:
                incoming[w].append((v, c))
        if v not in is_join:
            out.branch_of[v] = frame_of[after]
        else:
            out.branch_of[v] = frame_of[ctx_in[v]]

    for (u, v), item in fork_back.items():
        report(
            Problem(
                f"branch '{v}' of the fork at '{u}' leads back to a step before the fork: a fork's branches "
                "start new work, they are never loop edges",
                fork=(u, item),
            ),
            "back",
            (u, item),
        )

    # A target both forked to and flowed to by one step: the graph holds one flow for both.
    for key, f in out.forks.items():
        for t in f.targets:
            edge = g._adj[f.step].get(t)
            if edge is not None and (edge.get("fork") != key[1] or edge.get("shared")):
                report(
                    Problem(
                        f"branch '{t}' of the fork at '{f.step}' is also the target of another flow of "
                        f"'{f.step}': a branch's steps are reached only through its fork",
                        fork=key,
                    ),
                    "shared",
                    key,
                    t,
                )

    # Close each fork: one join (a), or every branch ends at an end step (b).
    ends: dict[ForkKey, dict[int, str]] = {}
    for v in nodes:
        if v in ctx_in and g._node[v].get("end") and not g._adj[v]:
            frame = out.branch_of.get(v) if v not in is_join else frame_of[ctx_in[v]]
            if frame is not None:
                ends.setdefault(frame[0], {}).setdefault(frame[1], v)
    for key, f in out.forks.items():
        f.closed_by_ends = not arrivals.get(key)
    # (b) inside a branch of a fork that joins: reported at the inner fork, which is
    # then why the outer branch never arrives (that branch is not reported again).
    for key, f in out.forks.items():
        if not f.closed_by_ends:
            continue
        frame = f.parent
        while frame is not None:
            outer = out.forks[frame[0]]
            if not outer.closed_by_ends:
                joined = next(iter(arrivals[outer.key]))
                report(
                    Problem(
                        f"the fork at '{f.step}' has no join but lies inside branch '{outer.targets[frame[1]]}' "
                        f"of the fork at '{outer.step}', which has one ('{joined}'): give it its own join "
                        "inside the branch",
                        fork=key,
                    ),
                    "inside",
                    key,
                )
                escaped.add(frame)
                break
            frame = outer.parent
    for key, f in out.forks.items():
        joins = arrivals.get(key, {})
        if not joins:
            continue
        complete = [j for j, got in joins.items() if len(got) == len(f.targets)]
        partial = [j for j in joins if j not in complete]
        fork_ends = ends.get(key, {})
        if len(complete) > 1:
            report(
                Problem(
                    f"the fork at '{f.step}' has two joins, '{complete[0]}' and '{complete[1]}': a fork is "
                    "closed by exactly one join",
                    fork=key,
                ),
                "twojoins",
                key,
            )
        if complete and not partial:
            f.join = complete[0]
            for j in complete:
                out.fork_of_join.setdefault(j, key)
            for i, end in sorted(fork_ends.items()):
                report(
                    Problem(
                        f"branch '{f.targets[i]}' of the fork at '{f.step}' ends at '{end}' before the join "
                        f"'{f.join}': every path of every branch reaches the join",
                        fork=key,
                    ),
                    "early",
                    key,
                    i,
                )
        else:
            j = (partial or complete)[0]
            got = joins[j]
            for i, t in enumerate(f.targets):
                if i in got or (key, i) in escaped:
                    continue
                end = fork_ends.get(i)
                how = f"ends at '{end}' without reaching" if end else "never reaches"
                report(
                    Problem(
                        f"branch '{t}' of the fork at '{f.step}' {how} its join '{j}': every branch reaches the "
                        "join, or (with no join) every branch ends at an end step",
                        fork=key,
                    ),
                    "missing",
                    key,
                    i,
                )

    # Loop edges stay inside one branch or go round whole blocks (same context at both ends).
    for u, v in sorted(out.loop_edges, key=lambda e: (index[e[0]], index[e[1]])):
        if u not in ctx_in or v not in ctx_in:
            continue
        if v in is_join:
            fork = out.fork_of_join.get(v)
            if fork is not None:
                report(
                    Problem(
                        f"the flow from '{u}' loops back to the join '{v}' of the fork at '{fork[0]}': "
                        "a loop goes back to before the fork, so the whole block repeats",
                        fork=fork,
                    ),
                    "loopjoin",
                    u,
                    v,
                )
            continue
        cu, cv = chain(ctx_in[u]), chain(ctx_in[v])
        if cu == cv:
            continue
        k = 0
        while k < len(cu) and k < len(cv) and cu[k] == cv[k]:
            k += 1
        if k < len(cu):
            frame = cu[k]
            where = "back to" if k >= len(cv) else "into another branch at"
            msg = (
                f"the flow from '{u}' in branch {branch_name(frame)} of the fork at '{frame[0][0]}' loops {where} "
                f"'{v}' outside the branch: a loop stays inside one branch, or runs from after the join back "
                "to before the fork"
            )
        else:
            frame = cv[k]
            msg = (
                f"the flow from '{u}' loops into '{v}' inside branch {branch_name(frame)} of the fork at "
                f"'{frame[0][0]}': a loop stays inside one branch, or runs from after the join back to before "
                "the fork"
            )
        report(Problem(msg, fork=frame[0]), "loop", u, v)
    out.problems.sort(key=lambda p: (index[p.fork[0]] if p.fork else index[p.join or nodes[0]], p.fork or ()))
    return out
