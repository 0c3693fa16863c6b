"""Stage 4, proof on the target: install a finished wheel for the target and run it there.

It runs target code the way the target's family says (qemu-user, wine, node)
and reads only finished wheels and the target stage's facts.
"""
