"""Stage 2, the build environment: make the inner backend build for the target.

``environment`` computes the variables, ``shim`` answers the introspection
questions of PEP 720 inside the backend's process, ``adapters`` write each
backend's cross files, ``inner`` calls the backend through pyproject-hooks.

To support a new backend, add an adapter in ``adapters``. This stage reads the
target stage's facts and never looks at a built wheel.
"""
