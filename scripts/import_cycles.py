"""No import cycles between modules (``make check``), with one documented
exception: a task and the service it calls (the task imports the service,
the service enqueues the task after commit). import-linter's contracts
(pyproject.toml) check the layers; this checks cycles across every app.

Prints each cycle found and exits 1, or exits 0."""

import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

APPS = [
    "core",
    "casestudies",
    "recruitment",
    "interviews",
    "approvals",
    "distribution",
    "analytics",
    "demo",
]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    sys.setrecursionlimit(10_000)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(module: str) -> None:
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for other in edges.get(module, ()):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in edges:
        if module not in index:
            visit(module)
    return found


def allowed(component: list[str]) -> bool:
    """A task module and the service modules it calls, in one package."""
    tasks = [m for m in component if m.rsplit(".", 1)[-1] == "tasks"]
    if len(tasks) != 1:
        return False
    package = tasks[0].rsplit(".", 1)[0]
    return all(m.rsplit(".", 1)[0] == package for m in component)


def main() -> int:
    graph = grimp.build_graph(*APPS)
    modules = [m for m in graph.modules if m.split(".")[0] in APPS]
    edges = {
        m: {x for x in graph.find_modules_directly_imported_by(m) if x.split(".")[0] in APPS}
        for m in modules
    }
    bad = [c for c in cycles(edges) if not allowed(c)]
    for component in bad:
        print("import cycle:", " <-> ".join(component))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
