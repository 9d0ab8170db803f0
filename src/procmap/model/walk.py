"""SPEC §5.2's depth-first walk: which flows are loop edges.

One walk for everything that needs loop edges: the schema check of
`planned: true` (a flow that is not a loop edge cannot be planned) and the
journey analysis.  Steps are integers, successors in the order of `next`.
"""

from __future__ import annotations


def depth_first(start: int, succ: list[list[int]]) -> tuple[set[tuple[int, int]], list[int]]:
    """(loop edges, steps in post-order) of the walk from ``start``; iterative, so any depth is fine.

    A flow ``u -> v`` is a loop edge when ``v`` is on the walk's current path.
    The post-order lists every step the start reaches, successors (along
    non-loop flows) before predecessors.
    """
    colour = [0] * len(succ)  # 0 unseen, 1 on the walk's current path, 2 finished
    loop: set[tuple[int, int]] = set()
    post: list[int] = []
    if start < 0:
        return loop, post
    colour[start] = 1
    stack: list[tuple[int, int]] = [(start, 0)]
    while stack:
        u, i = stack[-1]
        out = succ[u]
        if i < len(out):
            stack[-1] = (u, i + 1)
            v = out[i]
            if colour[v] == 1:
                loop.add((u, v))
            elif colour[v] == 0:
                colour[v] = 1
                stack.append((v, 0))
        else:
            colour[u] = 2
            post.append(u)
            stack.pop()
    return loop, post
