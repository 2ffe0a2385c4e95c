#!/usr/bin/env python3
"""Fails when the top-level modules of a crate depend on each other in a cycle.

Usage: scripts/module-cycles.py [CRATE_SRC_DIR]   (default: scim-core/src)

It reads every `.rs` file below the source directory, takes the top-level module each
file belongs to (`engine/mod.rs` and `engine/tests.rs` both belong to `engine`), and
records an edge A -> B for every path into another top-level module: `crate::b::…`,
`crate::{b::…, c}` and `super::…` chains that climb out of A. Comments, doc comments
and test code (`tests.rs` files, `tests/` directories and `#[cfg(test)]` items) are left
out: only the production graph must be acyclic. The crate root (`lib.rs`) is the facade
that re-exports, not a module, so it has no edges.

On success it prints the modules in layers, each using only the layers below it: the
order the data flows through the crate. On a cycle it prints every strongly
connected component with one `file:line` witness per edge, and exits 1.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_comments(text: str) -> str:
    """Blanks out `//` and `/* */` comments and string literals, keeping line breaks."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"' and not re.match(r"[A-Za-z0-9_]'", text[max(i - 2, 0) : i]):
            # A string literal (raw strings with `#` are rare enough in this crate's
            # production code to be read as ordinary ones).
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i : i + 4]):
            # A char literal such as '"' or '{' (a lifetime has no closing quote).
            m = re.match(r"'(\\.|[^\\'])'", text[i : i + 4])
            out.append(" " * m.end())
            i += m.end()
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_test_items(text: str) -> str:
    """Blanks out every item annotated `#[cfg(test)]` (a module, a function, a use)."""
    result = list(text)
    for m in re.finditer(r"#\[cfg\(test\)\]", text):
        i = m.end()
        depth = 0
        while i < len(text):
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            elif c == ";" and depth == 0:
                i += 1
                break
            i += 1
        for k in range(m.start(), i):
            if result[k] != "\n":
                result[k] = " "
    return "".join(result)


def module_path(src: Path, file: Path) -> list[str]:
    """`src/engine/mod.rs` -> ['engine'], `src/filter/parser/lexical.rs` -> [...]."""
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts and parts[-1] in ("mod", "lib"):
        parts.pop()
    return parts


def group_heads(text: str, start: int) -> list[str]:
    """The first segment of each item in a `{…}` use group starting at `start`."""
    heads, depth, item = [], 0, ""
    for c in text[start:]:
        if c == "{":
            depth += 1
            if depth == 1:
                continue
        elif c == "}":
            depth -= 1
            if depth == 0:
                break
        if depth == 1 and c == ",":
            heads.append(item)
            item = ""
        elif depth >= 1:
            item += c
    heads.append(item)
    names = []
    for head in heads:
        m = re.match(rf"\s*({IDENT})", head)
        if m:
            names.append(m.group(1))
    return names


def edges_of(src: Path, file: Path, top_level: set[str], reexports: dict[str, str]):
    path = module_path(src, file)
    if not path:
        return
    own = path[0]
    text = strip_test_items(strip_comments(file.read_text()))
    # Paths from the crate root: `crate::x`, and `super::…::x` with as many `super`s as
    # the file is deep (`src/a/b.rs` is `a::b`, as is `src/a/b/mod.rs`).
    crate_root = r"(?<![$\w])crate\s*::\s*"
    super_root = r"(?<![\w:])" + r"super\s*::\s*" * len(path) + r"(?!super\b)"
    for root in (crate_root, super_root):
        for m in re.finditer(root + r"(\{|" + IDENT + ")", text):
            line = text.count("\n", 0, m.start()) + 1
            head = m.group(1)
            for target in group_heads(text, m.start(1)) if head == "{" else [head]:
                target = reexports.get(target, target)
                if target in top_level and target != own:
                    yield own, target, f"{file}:{line}"


def is_test_file(src: Path, file: Path) -> bool:
    parts = file.relative_to(src).parts
    return file.name == "tests.rs" or "tests" in parts[:-1]


def top_level_modules(src: Path) -> set[str]:
    lib = strip_comments((src / "lib.rs").read_text())
    return set(re.findall(rf"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+({IDENT})\s*;", lib, re.M))


def root_reexports(src: Path, top_level: set[str]) -> dict[str, str]:
    """Names the crate root re-exports from a module: `pub use store::{Query, …};`
    makes `crate::Query` an edge to `store`."""
    lib = strip_comments((src / "lib.rs").read_text())
    names = {}
    for m in re.finditer(rf"\bpub\s+use\s+({IDENT})\s*::\s*(\{{[^}}]*\}}|{IDENT})\s*;", lib):
        module, items = m.group(1), m.group(2)
        if module not in top_level:
            continue
        for item in re.findall(IDENT, items):
            if item not in ("self", "as"):
                names[item] = module
    return names


def strongly_connected(nodes, graph):
    """Tarjan's algorithm; returns the components in reverse topological order."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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
            components.append(sorted(component))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return components


def main() -> int:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "scim-core/src")
    modules = top_level_modules(src)
    reexports = root_reexports(src, modules)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    witness: dict[tuple[str, str], str] = {}
    for file in sorted(src.rglob("*.rs")):
        if is_test_file(src, file):
            continue
        for a, b, where in edges_of(src, file, modules, reexports):
            graph[a].add(b)
            witness.setdefault((a, b), where)

    components = strongly_connected(modules, graph)
    cycles = [c for c in components if len(c) > 1]
    if cycles:
        for component in cycles:
            print(f"module cycle: {' <-> '.join(component)}", file=sys.stderr)
            for a in component:
                for b in sorted(graph[a] & set(component)):
                    print(f"  {a} -> {b}  ({witness[(a, b)]})", file=sys.stderr)
        return 1
    # Each module's layer is one above the highest layer it uses: read top to bottom,
    # the layers follow the data from the wire down to the store and back.
    layer: dict[str, int] = {}
    for (module,) in components:  # Tarjan yields dependencies first
        layer[module] = 1 + max((layer[m] for m in graph[module]), default=-1)
    print(f"no module cycle in {src}; layers (each module uses only lower layers):")
    for depth in range(max(layer.values(), default=-1), -1, -1):
        names = sorted(m for m in layer if layer[m] == depth)
        print(f"  {depth}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
