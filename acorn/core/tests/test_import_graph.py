"""The house (issue 13, item 5): three import circles are gone and must stay gone. Read from
the source with `ast`, every import counted, those inside functions too."""

import ast
from pathlib import Path

ACORN = Path(__file__).resolve().parents[2]
APPS = sorted(
    p.name for p in ACORN.iterdir() if (p / "apps.py").exists() and p.name not in ("core",)
)


def _module(path: Path) -> str:
    parts = list(path.relative_to(ACORN.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _source_modules() -> dict[str, Path]:
    return {
        _module(p): p
        for p in ACORN.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts
    }


MODULES = _source_modules()


def imports_of(module: str) -> set[str]:
    """The Acorn modules this module imports (`from a.b import c` names a.b, and a.b.c when
    that is a module)."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in MODULES}


def reachable_from(module: str) -> set[str]:
    seen, waiting = set(), [module]
    while waiting:
        for name in imports_of(waiting.pop()):
            if name not in seen:
                seen.add(name)
                waiting.append(name)
    return seen


def test_the_graph_is_read_from_the_real_source():
    assert "acorn.journal.media" in MODULES and "acorn.core.api" in MODULES
    assert "acorn.journal.processing" in imports_of("acorn.journal.tasks")
    assert "acorn.journal.api" in imports_of("acorn.api")


def test_core_mounts_no_app_api_the_project_package_does():
    """`core` holds the one API object and its rules; the routers are mounted by
    `acorn/api.py`, as `acorn/urls.py` mounts the apps' pages."""
    app_entry_points = {f"acorn.{app}.{part}" for app in APPS for part in ("api", "views", "urls")}
    for module in MODULES:
        if module.startswith("acorn.core"):
            assert not imports_of(module) & app_entry_points, module
    assert not reachable_from("acorn.core.api") & app_entry_points
    assert {f"acorn.{app}.api" for app in APPS if f"acorn.{app}.api" in MODULES} <= imports_of(
        "acorn.api"
    )


def test_the_user_model_imports_no_selector():
    assert not {m for m in imports_of("acorn.accounts.models") if m.endswith(".selectors")}
    assert not {m for m in reachable_from("acorn.accounts.models") if m.endswith(".selectors")}


def test_media_and_tasks_do_not_import_each_other():
    """The request side (`media`) enqueues the worker's job (`tasks`); the job runs
    `processing`, which needs nothing of `media`, directly or through anything else."""
    assert "acorn.journal.media" not in reachable_from("acorn.journal.tasks")
    assert "acorn.journal.media" not in reachable_from("acorn.journal.processing")


def test_the_demo_seeder_has_a_place_of_its_own():
    assert "acorn.demo.management.commands.seed_demo" in MODULES
    assert not [m for m in MODULES if m.startswith("acorn.org.") and "seed_demo" in m]
    for module in MODULES:
        if not module.startswith("acorn.demo"):
            assert not {m for m in imports_of(module) if m.startswith("acorn.demo")}, module
