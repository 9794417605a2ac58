"""The package layers hold: no import cycle, no upward import, heavy libraries in their place.

The imports are read from the source with ``ast`` (nothing is imported): every ``import`` and
``from ... import`` statement, at module level or inside a function, except those under
``if TYPE_CHECKING:`` (annotations only). An edge goes from a module to the module it names, or
to ``package.name`` when that is a module itself. The implicit import of a parent package's
``__init__`` is not an edge (Python runs it, but it cannot form a partial-import cycle on its
own).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "vectorstore", "ingest", "prompts")
# assistant -> vectorstore -> ingest; a package may import only those after it in this order.
LAYERS = ("assistant", "vectorstore", "ingest")
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, list[str]]]:
    """Return (module, names taken from it) for each import of ``tree`` (absolute names,
    TYPE_CHECKING blocks left out; names is empty for ``import x``)."""
    found: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if is_package else module.rsplit(".", 1)[0]
                for _ in range(node.level - 1):
                    package = package.rsplit(".", 1)[0]
                base = f"{package}.{base}" if base else package
            found.append((base, [alias.name for alias in node.names]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges = set()
        for base, names in _imports(tree, name, path.name == "__init__.py"):
            # "from assistant.cli import index" takes a module; "from assistant.query import
            # Query" takes a name defined by the package's __init__
            submodules = {f"{base}.{n}" for n in names} & modules.keys()
            edges |= submodules
            if len(submodules) < len(names) or not names:
                edges.add(base)
        graph[name] = {e for e in edges if e in modules and e != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_no_module_imports_another_in_a_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_package_imports_a_higher_layer() -> None:
    upward = []
    for module, targets in _graph().items():
        top = module.split(".")[0]
        if top not in LAYERS:
            continue
        allowed = set(LAYERS[LAYERS.index(top) :]) | {"prompts"}
        upward += [f"{module} -> {t}" for t in targets if t.split(".")[0] not in allowed]
    assert upward == []


def test_heavy_libraries_are_imported_in_their_place_only() -> None:
    places = {"chromadb": "vectorstore", "gradio": "assistant.ui"}
    wrong = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target, _ in _imports(tree, name, path.name == "__init__.py"):
            library = target.split(".")[0]
            if library in places and not (name + ".").startswith(places[library] + "."):
                wrong.append(f"{name} imports {library}")
    assert sorted(set(wrong)) == []


def test_no_module_is_longer_than_about_400_lines() -> None:
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
