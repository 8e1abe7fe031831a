"""
The layers of DESIGN §3, where imports cannot show them.

lint-imports (pyproject.toml) checks imports. These tests check the other
ways a lower app could reach a higher one: by name through the app registry
or importlib, and by querying through the higher app's reverse relations
("plantings__quantity" in gardens, zone.plantings.all(), or a template of a
lower app reversing a higher app's URL).
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

BASE = Path(settings.BASE_DIR)

# From the bottom up; apps in one tuple may not know each other either.
LAYERS = [("gardens",), ("events", "artworks", "feedback"), ("plantings",)]
APPS = [label for layer in LAYERS for label in layer]


def rank(label):
    return next(i for i, layer in enumerate(LAYERS) if label in layer)


def out_of_reach(label):
    """The apps that label may not know: higher layers, and its siblings."""
    return {other for other in APPS if other != label and rank(other) >= rank(label)}


def reverse_relations(label):
    """
    {relation name: the app that owns it} for every relation that another
    app's model points at label's models with: Zone.plantings is the
    plantings app's, Garden.events the events app's.
    """
    found = {}
    for model in apps.get_app_config(label).get_models():
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete and field.related_model:
                owner = field.related_model._meta.app_label
                if owner != label:
                    found[field.field.related_query_name()] = owner
                    found[field.get_accessor_name()] = owner
    return found


def python_modules(label):
    root = BASE / label
    return [p for p in root.rglob("*.py") if "migrations" not in p.parts]


def templates(label):
    return list((BASE / label / "templates").rglob("*.html"))


def docstring_nodes(tree):
    """The string constants that are docstrings: prose, not code."""
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(tree):
        if isinstance(node, kinds) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                yield first.value


def relations_out_of_reach(label):
    """The reverse relations of label's models that belong to apps out of reach."""
    forbidden = out_of_reach(label)
    return sorted(
        name for name, owner in reverse_relations(label).items() if owner in forbidden
    )


def any_of(names, template):
    """A regex matching template with one of names at {}; never matches if none."""
    if not names:
        return re.compile(r"(?!)")
    return re.compile(template.format("|".join(map(re.escape, names))))


def reaches_up(label):
    """Every place in label's Python code that reaches an app out of its reach."""
    forbidden = out_of_reach(label)
    relations = relations_out_of_reach(label)
    lookup = any_of(relations, r"^-?({})(__|$)")
    found = []
    for path in python_modules(label):
        tree = ast.parse(path.read_text(), filename=str(path))
        prose = set(map(id, docstring_nodes(tree)))
        where = path.relative_to(BASE)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                first = node.args[0] if node.args else None
                if (
                    name in ("get_model", "import_module", "find_spec")
                    and isinstance(first, ast.Constant)
                    and str(first.value).split(".")[0] in forbidden
                ):
                    found.append(f"{where}:{node.lineno} {name}({first.value!r})")
            elif isinstance(node, ast.Attribute) and node.attr in relations:
                found.append(f"{where}:{node.lineno} .{node.attr}")
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in prose
                and lookup.match(node.value)
            ):
                found.append(f"{where}:{node.lineno} {node.value!r}")
            elif isinstance(node, ast.keyword) and node.arg and lookup.match(node.arg):
                found.append(f"{where}:{node.value.lineno} {node.arg}=")
    return found


@pytest.mark.parametrize("label", APPS)
def test_app_code_never_reaches_a_higher_app(label):
    assert reaches_up(label) == []


@pytest.mark.parametrize("label", APPS)
def test_app_templates_never_name_a_higher_app(label):
    forbidden = out_of_reach(label)
    url = re.compile(r"""{%\s*url\s+['"](\w+):""")
    attribute = any_of(relations_out_of_reach(label), r"\.({})\b")
    found = []
    for path in templates(label):
        text = path.read_text()
        where = path.relative_to(BASE)
        found += [f"{where} url {m}" for m in url.findall(text) if m in forbidden]
        found += [f"{where} .{m}" for m in attribute.findall(text)]
    assert found == []


def test_the_check_finds_a_query_through_a_higher_apps_relation(tmp_path, monkeypatch):
    """The checks above would see a lower app reaching up, in each form."""
    app = tmp_path / "gardens"
    app.mkdir()
    (app / "views.py").write_text(
        '"""plantings__quantity in prose is fine."""\n'
        "from django.apps import apps\n"
        "from django.db.models import Sum\n"
        "Event = apps.get_model('events', 'Event')\n"
        "def f(zone, species):\n"
        "    zone.plantings.all()\n"
        "    species.annotate(n=Sum('plantings__quantity'))\n"
        "    return species.filter(observations__kind='loss')\n"
    )
    monkeypatch.setattr(
        "tests.test_architecture.python_modules", lambda label: [app / "views.py"]
    )
    monkeypatch.setattr("tests.test_architecture.BASE", tmp_path)

    found = reaches_up("gardens")

    assert sorted(found) == [
        "gardens/views.py:4 'events'",
        "gardens/views.py:4 get_model('events')",
        "gardens/views.py:6 .plantings",
        "gardens/views.py:7 'plantings__quantity'",
        "gardens/views.py:8 observations__kind=",
    ]


def test_every_app_is_placed_in_a_layer():
    """A new app must be given its layer here and in pyproject.toml."""
    ours = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(BASE)
        and ".venv" not in Path(config.path).relative_to(BASE).parts
        and config.label != "tongyun"
    }

    assert ours == set(APPS)
