"""Stage 1, the target: what we build for and with what.

Names resolve to a ``Target`` (``names``) whose family facts come from one row of
``families.FAMILIES``; then the target's interpreter (``interpreter``, ``runtime``),
toolchain (``toolchain``, ``fortran``) and C-API packages (``packages``).

To add a target family, add its row to ``families.FAMILIES`` (and its spellings
to ``names``); a module of its own only where it has real logic. This stage
imports nothing from a later one: it reads the build machine, never a build.
"""
