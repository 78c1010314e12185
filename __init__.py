"""netreel: lecture videos about neural networks, rendered from real, running networks.

The repository's root is this package (``package-dir`` in pyproject.toml): ``nets``
(PyTorch), ``scenes`` (Manim), ``render`` (the application layer: pipeline, workers,
outputs, audit) and ``cli`` import as ``netreel.nets``, ``netreel.scenes``,
``netreel.render`` and ``netreel.cli``.
"""

import os as _os

# The networks train to the same weights on every x86-64 CPU, so that a render and its
# control frames agree from machine to machine: MKL's conditional reproducibility branch
# that Intel and AMD processors run alike, and torch's own kernels built for AVX2 (run as
# they are on AVX-512 machines too). Both are read at the first operation, not at import.
# Training also runs on one thread without oneDNN (nets/store.py). Set either variable
# to override it.
_os.environ.setdefault("MKL_CBWR", "COMPATIBLE")
_os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")
