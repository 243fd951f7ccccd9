"""Components: every choice of the recipe language, declared once, found through the registry.

Importing any part of this package first imports archspec.spec, which registers every built-in
component and every installed plugin (archspec/components/loaded.py) before it builds its
discriminated unions. So whichever of the two a program imports first, a union never misses a
kind. Nothing here imports torch.
"""

import archspec.spec  # noqa: F401  (see above: registration happens before any union is built)
