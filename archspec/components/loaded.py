"""Register every built-in component, then every installed plugin, exactly once.

archspec/spec/__init__.py imports this module before any spec module builds a union from the
registry, so each union holds the built-in kinds (in the order below) and then the plugins'.
A group package registers its built-ins when imported.
"""

from archspec.components import attention, ffn, mask, norm, positional  # noqa: F401
from archspec.components.objective import builtin as _objectives  # noqa: F401
from archspec.components.registry import load_plugins
from archspec.components.schedule import builtin as _schedules  # noqa: F401
from archspec.components.source import builtin as _sources  # noqa: F401
from archspec.components.tokenizer import builtin as _tokenizers  # noqa: F401

PLUGINS = load_plugins()
"""Names of the `archspec.components` entry points loaded (installed plugins)."""
