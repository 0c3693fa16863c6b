"""crossyaml: a C extension that calls libyaml, to prove a bundled library loads on the target."""

from crossyaml._native import emit, libyaml_version

__all__ = ["emit", "libyaml_version"]
