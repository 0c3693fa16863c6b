"""Stage 3, the wheel: one read of what the backend built, then make it right or refuse it.

``binaries`` reads the wheel once; ``repair`` bundles the target's libraries,
``tags`` chooses the tag, ``fixer`` plans the rewrite, ``verifier`` checks the
plan, and ``finish`` runs them in that order. Nothing is written unless verified.

A post-build check belongs in ``verifier`` (it sees every binary's facts, never
the archive). This stage reads the target's facts and never the build environment.
"""
