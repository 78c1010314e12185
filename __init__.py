"""netreel: lecture videos about neural networks, rendered from real, running networks.

The repository's root is this package (``package-dir`` in pyproject.toml): ``nets``
(PyTorch), ``scenes`` (Manim), ``render`` (the application layer: pipeline, workers,
outputs, audit) and ``cli`` import as ``netreel.nets``, ``netreel.scenes``,
``netreel.render`` and ``netreel.cli``.
"""
