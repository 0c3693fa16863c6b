"""The command line: ``crosswheel build|test|fix|inspect|doctor|targets``.

It is the one place that may use every stage: a frontend (``frontend``), several
targets at once (``parallel``), sources and sdists (``sources``, ``index``), and
the read-only commands (``doctor``, ``inspection``).
"""
