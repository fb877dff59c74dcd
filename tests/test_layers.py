"""The package's layers, enforced: every module's imports (module- and function-level, ``import x``
and ``from x import y``) are read with ``ast`` and each may only point down the layer map, and
no asn_dash modules import each other in a circle. See docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "asn_dash"

# Module (or package prefix) → layer, bottom up. A module may import modules of its own layer or a
# lower one. The most specific prefix wins; every asn_dash module must be listed here.
BASE, RULES, DOMAIN, STORE, ACCESS, SERVICES, MEETING, APP, TOP = range(9)
LAYER_NAMES = ["base", "rules", "domain", "store", "access", "services", "meeting", "app", "top"]
LAYERS = {
    # base: plain values and wording, no asn_dash imports above them
    "asn_dash.errors": BASE,
    "asn_dash.formatting": BASE,
    "asn_dash.sources": BASE,
    "asn_dash.colours": BASE,
    "asn_dash.texts": BASE,
    "asn_dash.clock": BASE,
    "asn_dash.throttle": BASE,
    "asn_dash.catalogue_files": BASE,
    # the rules: pure computation
    "asn_dash.rules": RULES,
    # the catalogue's files and the demo data generator, checked by the rules
    "asn_dash.catalogue": DOMAIN,
    "asn_dash.demo": DOMAIN,
    # the DuckDB store: connections, migrations, seeding, read queries
    "asn_dash.store": STORE,
    # reads and writes of one kind of data on top of the store
    "asn_dash.auth": ACCESS,
    "asn_dash.access": ACCESS,
    "asn_dash.outputs": ACCESS,
    "asn_dash.people": ACCESS,
    "asn_dash.annotations": ACCESS,
    "asn_dash.agendas": ACCESS,
    "asn_dash.disclosure": ACCESS,
    "asn_dash.kolada": ACCESS,
    "asn_dash.uploads": ACCESS,
    # view models: read the store (and the access modules) and call the rules
    "asn_dash.services": SERVICES,
    # the meeting material and its exports
    "asn_dash.meeting": MEETING,
    # Streamlit
    "asn_dash.app": APP,
    # entry points
    "asn_dash": TOP,  # the package itself
    "asn_dash.__main__": TOP,
    "asn_dash.cli": TOP,
    "asn_dash.cli_backup": TOP,
    "asn_dash.cli_options": TOP,
    "asn_dash.bench": TOP,
}

# Third-party packages a layer must not import (the layers that may are listed).
STREAMLIT_ALLOWED = {APP, TOP}
DUCKDB_FORBIDDEN = {BASE, RULES, DOMAIN, SERVICES, MEETING}

# Modules whose imports are not checked (none: keep it so).
UNCHECKED: set[str] = set()
# Import circles allowed, each as the set of its modules (none: keep it so).
ALLOWED_CYCLES: list[set[str]] = []


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the module, at any depth; ``from p import m``
    of a submodule counts as importing ``p.m``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.append((sub if sub in MODULES else base, node.lineno))
    return out


def layer(name: str) -> int | None:
    best = None
    for prefix, level in LAYERS.items():
        if (name == prefix or name.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, level)
    return None if best is None else best[1]


def graph() -> dict[str, set[str]]:
    return {name: {m for m, _ in imports(name) if m in MODULES and m != name} for name in MODULES}


def test_every_module_has_a_layer():
    assert [name for name in MODULES if layer(name) is None] == [], "add the module to LAYERS in tests/test_layers.py"


def test_imports_point_down_the_layers():
    wrong = []
    for name in MODULES:
        if name in UNCHECKED:
            continue
        own = layer(name)
        for target, line in imports(name):
            top = target.split(".")[0]
            if top == "asn_dash":
                theirs = layer(target)
                if theirs is not None and theirs > own:
                    wrong.append(f"{name} ({LAYER_NAMES[own]}) imports {target} ({LAYER_NAMES[theirs]}) "
                                 f"at {MODULES[name].relative_to(ROOT)}:{line}")
            elif top == "streamlit" and own not in STREAMLIT_ALLOWED:
                wrong.append(f"{name} ({LAYER_NAMES[own]}) imports streamlit at {MODULES[name].relative_to(ROOT)}:{line}")
            elif top == "duckdb" and own in DUCKDB_FORBIDDEN:
                wrong.append(f"{name} ({LAYER_NAMES[own]}) imports duckdb at {MODULES[name].relative_to(ROOT)}:{line}")
    assert wrong == [], "imports against the layers (docs/architecture.md):\n" + "\n".join(wrong)


def test_the_rules_import_only_rules_and_base():
    # the strictest layer spelled out: rules are pure computation on plain values
    wrong = [f"{name} imports {target} at {MODULES[name].relative_to(ROOT)}:{line}"
             for name in MODULES if layer(name) == RULES
             for target, line in imports(name)
             if target.startswith("asn_dash") and layer(target) not in (BASE, RULES)]
    assert wrong == [], "\n".join(wrong)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
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

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    edges = graph()
    found = [c for c in cycles(edges) if set(c) not in ALLOWED_CYCLES]
    lines = []
    for component in found:
        members = set(component)
        lines.append(" ↔ ".join(component) + ": " + "; ".join(
            f"{a} imports {b}" for a in component for b in sorted(edges[a] & members)))
    assert found == [], "import circles:\n" + "\n".join(lines)


def test_the_checks_see_what_they_check():
    # the reader finds function-level and relative imports, and the cycle finder finds a circle
    assert "asn_dash.store.verdict_seed" in {m for m, _ in imports("asn_dash.store.seed")}  # in a function
    assert "asn_dash.bench.ingest" in {m for m, _ in imports("asn_dash.bench")}  # from .ingest import …
    assert "asn_dash.services.outlook" in {m for m, _ in imports("asn_dash.cli")}  # from package import module
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer("asn_dash.rules.evaluation") == RULES and layer("asn_dash.store.seed_csv") == STORE
