"""An example archspec plugin: two components registered through the `archspec.components`
entry point (see pyproject.toml). archspec imports this package while it registers its own
components, before it builds the recipe unions; importing it registers:

    norm kind scalenorm                     ScaleNorm (Nguyen & Salazar 2019)
    positional kind scaled-sinusoidal       the paper's sinusoids times one learned scalar
"""

from archspec_example_plugin import scaled_sinusoidal, scalenorm  # noqa: F401
