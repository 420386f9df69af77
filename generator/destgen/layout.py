"""The generated library's layout: its distribution and import names and its project files.

Constants only; the pipeline, the templates and the CLI read them from here.
"""

LIBRARY_PACKAGE = "destgen_destinations"
LIBRARY_DISTRIBUTION = "destgen-destinations"
# Files of the library project that are not part of one destination, template -> output path.
PROJECT_FILES = {
    "project/pyproject.toml.jinja": "pyproject.toml",
    "project/README.md.jinja": "README.md",
    "package/__init__.py.jinja": f"{LIBRARY_PACKAGE}/__init__.py",
    "package/py.typed.jinja": f"{LIBRARY_PACKAGE}/py.typed",
    "package/registry.py.jinja": f"{LIBRARY_PACKAGE}/registry.py",
}
# The hand-written runtime is its own distribution, pinned by version in the library's
# pyproject.toml: never rendered, never copied.
RUNTIME_DISTRIBUTION = "destgen-runtime"
