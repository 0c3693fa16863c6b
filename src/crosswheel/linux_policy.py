# ruff: noqa: E501  (generated data: long version lists stay on one line)
"""The manylinux and musllinux policies (PEP 600, PEP 656) as data.

Each row is one policy, most compatible first, with what it *adds* to the one
before: symbol versions per architecture and namespace, allowed libraries, and
symbols of allowed libraries that are nonetheless off limits. Taken from
auditwheel's ``policy/*.json`` (6.8) so that our tags agree with ``auditwheel
show``; ``tests/test_tags.py`` checks every policy against the installed
auditwheel, which is a test dependency only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

PolicyRow = tuple[str, tuple[str, ...], str, dict[str, dict[str, str]], str, dict[str, str]]
"""name, aliases, arches, added symbol versions, added libraries, blacklisted symbols."""


@dataclass(frozen=True)
class Policy:
    """One manylinux_X_Y or musllinux_X_Y policy, cumulative."""

    name: str
    aliases: tuple[str, ...]
    version: tuple[int, int]
    """The glibc (or musl) version the policy stands for."""
    arches: frozenset[str]
    symbol_versions: dict[str, dict[str, frozenset[str]]]
    """arch -> namespace (``GLIBC``) -> allowed versions (``2.17``)."""
    libraries: frozenset[str]
    blacklist: dict[str, frozenset[str]]
    """library -> symbols it exports that binaries must not use."""

    def tag(self, arch: str) -> str:
        return f"{self.name}_{arch}"


def _expand(rows: tuple[PolicyRow, ...]) -> tuple[Policy, ...]:
    policies: list[Policy] = []
    versions: dict[str, dict[str, frozenset[str]]] = {}
    libraries: frozenset[str] = frozenset()
    for name, aliases, arches, added, libs, black in rows:
        for arch, namespaces in added.items():
            arch_versions = versions.setdefault(arch, {})
            for namespace, listed in namespaces.items():
                old = arch_versions.get(namespace, frozenset())
                arch_versions[namespace] = old | frozenset(listed.split())
        libraries = libraries | frozenset(libs.split())
        major, minor = (int(x) for x in name.split("_")[1:3])
        arch_set = frozenset(arches.split())
        policies.append(
            Policy(
                name=name,
                aliases=aliases,
                version=(major, minor),
                arches=arch_set,
                symbol_versions={a: dict(versions.get(a, {})) for a in arch_set},
                libraries=libraries,
                blacklist={lib: frozenset(symbols.split()) for lib, symbols in black.items()},
            )
        )
    return tuple(policies)


@cache
def manylinux_policies() -> tuple[Policy, ...]:
    """Every manylinux policy, most compatible (lowest glibc) first."""
    return _expand(MANYLINUX)


@cache
def musllinux_policies() -> tuple[Policy, ...]:
    """Every musllinux policy, most compatible first."""
    return _expand(MUSLLINUX)


MANYLINUX: tuple[PolicyRow, ...] = (
    (
        "manylinux_2_5",
        ("manylinux1",),
        "i686 x86_64",
        {
            "i686": {
                "CXXABI": "1.3 1.3.1",
                "GCC": "3.0 3.3 3.3.1 3.4 3.4.2 4.0.0 4.2.0",
                "GLIBC": "2.0 2.1 2.1.1 2.1.2 2.1.3 2.2 2.2.1 2.2.2 2.2.3 2.2.4 2.2.6 2.3 2.3.2 2.3.3 2.3.4 2.4 2.5",
                "GLIBCXX": "3.4 3.4.1 3.4.2 3.4.3 3.4.4 3.4.5 3.4.6 3.4.7 3.4.8",
                "LIBATOMIC": "",
                "ZLIB": "",
            },
            "x86_64": {
                "CXXABI": "1.3 1.3.1",
                "GCC": "3.0 3.3 3.3.1 3.4 3.4.2 3.4.4 4.0.0 4.2.0",
                "GLIBC": "2.2.5 2.2.6 2.3 2.3.2 2.3.3 2.3.4 2.4 2.5",
                "GLIBCXX": "3.4 3.4.1 3.4.2 3.4.3 3.4.4 3.4.5 3.4.6 3.4.7 3.4.8",
                "LIBATOMIC": "",
                "ZLIB": "",
            },
        },
        "libGL.so.1 libICE.so.6 libSM.so.6 libX11.so.6 libXext.so.6 libXrender.so.1 libanl.so.1 libatomic.so.1 libc.so.6 libdl.so.2 libgcc_s.so.1 libglib-2.0.so.0 libgobject-2.0.so.0 libgthread-2.0.so.0 libm.so.6 libnsl.so.1 libpthread.so.0 libresolv.so.2 librt.so.1 libstdc++.so.6 libutil.so.1 libz.so.1",
        {
            "libc.so.6": "__cxa_thread_atexit_impl __issignaling __issignalingf __issignalingl pthread_getattr_default_np pthread_setattr_default_np",
            "libm.so.6": "__issignaling __issignalingf __issignalingl",
            "libpthread.so.0": "pthread_getattr_default_np pthread_setattr_default_np",
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_12",
        ("manylinux2010",),
        "i686 x86_64",
        {
            "i686": {
                "CXXABI": "1.3.2 1.3.3",
                "GCC": "4.3.0 4.4.0 4.5.0",
                "GLIBC": "2.10 2.11 2.12 2.6 2.7 2.8 2.9",
                "GLIBCXX": "3.4.10 3.4.11 3.4.12 3.4.13 3.4.9",
                "ZLIB": "1.2.0 1.2.0.2 1.2.0.8 1.2.2 1.2.2.3 1.2.2.4",
            },
            "x86_64": {
                "CXXABI": "1.3.2 1.3.3",
                "GCC": "4.3.0",
                "GLIBC": "2.10 2.11 2.12 2.6 2.7 2.8 2.9",
                "GLIBCXX": "3.4.10 3.4.11 3.4.12 3.4.13 3.4.9",
                "ZLIB": "1.2.0 1.2.0.2 1.2.0.8 1.2.2 1.2.2.3 1.2.2.4",
            },
        },
        "libexpat.so.1",
        {
            "libc.so.6": "__cxa_thread_atexit_impl __issignaling __issignalingf __issignalingl pthread_getattr_default_np pthread_setattr_default_np",
            "libm.so.6": "__issignaling __issignalingf __issignalingl",
            "libpthread.so.0": "pthread_getattr_default_np pthread_setattr_default_np",
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_17",
        ("manylinux2014",),
        "aarch64 armv7l i686 ppc64 ppc64le s390x x86_64",
        {
            "aarch64": {
                "CXXABI": "1.3 1.3.1 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 TM_1",
                "GCC": "3.0 3.3 3.3.1 3.4 3.4.2 3.4.4 4.0.0 4.2.0 4.3.0 4.5.0 4.7.0",
                "GLIBC": "2.0 2.17 2.18",
                "GLIBCXX": "3.4 3.4.1 3.4.10 3.4.11 3.4.12 3.4.13 3.4.14 3.4.15 3.4.16 3.4.17 3.4.18 3.4.19 3.4.2 3.4.3 3.4.4 3.4.5 3.4.6 3.4.7 3.4.8 3.4.9",
                "LIBATOMIC": "1.0",
                "ZLIB": "1.2.0 1.2.0.2 1.2.0.8 1.2.2 1.2.2.3 1.2.2.4 1.2.3.3 1.2.3.4 1.2.3.5 1.2.5.1 1.2.5.2",
            },
            "armv7l": {
                "CXXABI": "1.3 1.3.1 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 ARM_1.3.3 TM_1",
                "GCC": "3.0 3.3 3.3.1 3.3.4 3.4 3.4.2 3.5 4.0.0 4.2.0 4.3.0 4.7.0",
                "GLIBC": "2.0 2.10 2.11 2.12 2.13 2.14 2.15 2.16 2.17 2.4 2.5 2.6 2.7 2.8 2.9",
                "GLIBCXX": "3.4 3.4.1 3.4.10 3.4.11 3.4.12 3.4.13 3.4.14 3.4.15 3.4.16 3.4.17 3.4.18 3.4.19 3.4.2 3.4.3 3.4.4 3.4.5 3.4.6 3.4.7 3.4.8 3.4.9",
                "LIBATOMIC": "1.0",
                "ZLIB": "1.2.0 1.2.0.2 1.2.0.8 1.2.2 1.2.2.3 1.2.2.4 1.2.3.3 1.2.3.4 1.2.3.5 1.2.5.1 1.2.5.2",
            },
            "i686": {
                "CXXABI": "1.3.4 1.3.5 1.3.6 1.3.7 TM_1",
                "GCC": "4.7.0 4.8.0",
                "GLIBC": "2.13 2.14 2.15 2.16 2.17",
                "GLIBCXX": "3.4.14 3.4.15 3.4.16 3.4.17 3.4.18 3.4.19",
                "LIBATOMIC": "1.0",
                "ZLIB": "1.2.3.3 1.2.3.4 1.2.3.5 1.2.5.1 1.2.5.2",
            },
            "ppc64": {
                "CXXABI": "1.3 1.3.1 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 TM_1",
                "GCC": "3.0 3.3 3.3.1 3.4 3.4.2 3.4.4 4.0.0 4.2.0 4.3.0 4.4.0 4.5.0 4.7.0 4.8.0",
                "GLIBC": "2.0 2.1 2.1.1 2.1.2 2.1.3 2.10 2.11 2.12 2.13 2.14 2.15 2.16 2.17 2.2 2.2.1 2.2.2 2.2.3 2.2.4 2.2.5 2.2.6 2.3 2.3.2 2.3.3 2.3.4 2.4 2.5 2.6 2.7 2.8 2.9",
                "GLIBCXX": "3.4 3.4.1 3.4.10 3.4.11 3.4.12 3.4.13 3.4.14 3.4.15 3.4.16 3.4.17 3.4.18 3.4.19 3.4.2 3.4.3 3.4.4 3.4.5 3.4.6 3.4.7 3.4.8 3.4.9",
                "LIBATOMIC": "1.0",
                "ZLIB": "1.2.0 1.2.0.2 1.2.0.8 1.2.2 1.2.2.3 1.2.2.4 1.2.3.3 1.2.3.4 1.2.3.5 1.2.5.1 1.2.5.2",
            },
            "ppc64le": {
                "CXXABI": "1.3 1.3.1 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 LDBL_1.3 TM_1",
                "GCC": "3.0 3.3 3.3.1 3.4 3.4.2 3.4.4 4.0.0 4.2.0 4.3.0 4.7.0",
                "GLIBC": "2.0 2.17",
                "GLIBCXX": "3.4 3.4.1 3.4.10 3.4.11 3.4.12 3.4.13 3.4.14 3.4.15 3.4.16 3.4.17 3.4.18 3.4.19 3.4.2 3.4.3 3.4.4 3.4.5 3.4.6 3.4.7 3.4.8 3.4.9 LDBL_3.4 LDBL_3.4.10 LDBL_3.4.7",
                "LIBATOMIC": "1.0",
                "ZLIB": "1.2.0 1.2.0.2 1.2.0.8 1.2.2 1.2.2.3 1.2.2.4 1.2.3.3 1.2.3.4 1.2.3.5 1.2.5.1 1.2.5.2",
            },
            "s390x": {
                "CXXABI": "1.3 1.3.1 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 LDBL_1.3 TM_1",
                "GCC": "3.0 3.3 3.3.1 3.4 3.4.2 3.4.4 4.0.0 4.1.0 4.2.0 4.3.0 4.7.0",
                "GLIBC": "2.10 2.11 2.12 2.13 2.14 2.15 2.16 2.17 2.2 2.2.1 2.2.2 2.2.3 2.2.4 2.2.6 2.3 2.3.2 2.3.3 2.3.4 2.4 2.5 2.6 2.7 2.8 2.9",
                "GLIBCXX": "3.4 3.4.1 3.4.10 3.4.11 3.4.12 3.4.13 3.4.14 3.4.15 3.4.16 3.4.17 3.4.18 3.4.19 3.4.2 3.4.3 3.4.4 3.4.5 3.4.6 3.4.7 3.4.8 3.4.9 LDBL_3.4 LDBL_3.4.10 LDBL_3.4.7",
                "LIBATOMIC": "",
                "ZLIB": "1.2.0 1.2.0.2 1.2.0.8 1.2.2 1.2.2.3 1.2.2.4 1.2.3.3 1.2.3.4 1.2.3.5 1.2.5.1 1.2.5.2",
            },
            "x86_64": {
                "CXXABI": "1.3.4 1.3.5 1.3.6 1.3.7 TM_1",
                "GCC": "4.7.0 4.8.0",
                "GLIBC": "2.13 2.14 2.15 2.16 2.17",
                "GLIBCXX": "3.4.14 3.4.15 3.4.16 3.4.17 3.4.18 3.4.19",
                "ZLIB": "1.2.3.3 1.2.3.4 1.2.3.5 1.2.5.1 1.2.5.2",
            },
        },
        "",
        {
            "libc.so.6": "__cxa_thread_atexit_impl __issignaling __issignalingf __issignalingl pthread_getattr_default_np pthread_setattr_default_np",
            "libm.so.6": "__issignaling __issignalingf __issignalingl",
            "libpthread.so.0": "pthread_getattr_default_np pthread_setattr_default_np",
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_24",
        (),
        "aarch64 armv7l i686 ppc64le s390x x86_64",
        {
            "aarch64": {
                "CXXABI": "1.3.10 1.3.8 1.3.9",
                "GLIBC": "2.22 2.23 2.24",
                "GLIBCXX": "3.4.20 3.4.21 3.4.22",
                "LIBATOMIC": "1.1 1.2",
            },
            "armv7l": {
                "CXXABI": "1.3.10 1.3.8 1.3.9",
                "GLIBC": "2.18 2.22 2.23 2.24",
                "GLIBCXX": "3.4.20 3.4.21 3.4.22",
                "LIBATOMIC": "1.1 1.2",
            },
            "i686": {
                "CXXABI": "1.3.10 1.3.8 1.3.9 FLOAT128",
                "GLIBC": "2.18 2.22 2.23 2.24",
                "GLIBCXX": "3.4.20 3.4.21 3.4.22",
                "LIBATOMIC": "1.1 1.2",
            },
            "ppc64le": {
                "CXXABI": "1.3.10 1.3.8 1.3.9",
                "GLIBC": "2.18 2.22 2.23 2.24",
                "GLIBCXX": "3.4.20 3.4.21 3.4.22 LDBL_3.4.21",
                "LIBATOMIC": "1.1 1.2",
            },
            "s390x": {
                "CXXABI": "1.3.10 1.3.8 1.3.9",
                "GLIBC": "2.18 2.19 2.22 2.23 2.24",
                "GLIBCXX": "3.4.20 3.4.21 3.4.22 LDBL_3.4.21",
                "LIBATOMIC": "1.0 1.1 1.2",
            },
            "x86_64": {
                "CXXABI": "1.3.10 1.3.8 1.3.9 FLOAT128",
                "GLIBC": "2.18 2.22 2.23 2.24",
                "GLIBCXX": "3.4.20 3.4.21 3.4.22",
                "LIBATOMIC": "1.0 1.1 1.2",
            },
        },
        "libmvec.so.1",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_26",
        (),
        "aarch64 armv7l i686 ppc64le s390x x86_64",
        {
            "aarch64": {
                "CXXABI": "1.3.11",
                "GCC": "7.0.0",
                "GLIBC": "2.25 2.26",
                "GLIBCXX": "3.4.23 3.4.24",
            },
            "armv7l": {
                "CXXABI": "1.3.11",
                "GCC": "7.0.0",
                "GLIBC": "2.25 2.26",
                "GLIBCXX": "3.4.23 3.4.24",
                "ZLIB": "1.2.7.1 1.2.9",
            },
            "i686": {
                "CXXABI": "1.3.11",
                "GCC": "7.0.0",
                "GLIBC": "2.25 2.26",
                "GLIBCXX": "3.4.23 3.4.24",
                "ZLIB": "1.2.7.1 1.2.9",
            },
            "ppc64le": {
                "CXXABI": "1.3.11",
                "GCC": "7.0.0",
                "GLIBC": "2.25 2.26",
                "GLIBCXX": "3.4.23 3.4.24",
                "ZLIB": "1.2.7.1 1.2.9",
            },
            "s390x": {
                "CXXABI": "1.3.11",
                "GCC": "7.0.0",
                "GLIBC": "2.25 2.26",
                "GLIBCXX": "3.4.23 3.4.24",
                "ZLIB": "1.2.7.1 1.2.9",
            },
            "x86_64": {
                "GLIBC": "2.25 2.26",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_27",
        (),
        "aarch64 armv7l i686 ppc64le s390x x86_64",
        {
            "aarch64": {
                "GLIBC": "2.27",
                "ZLIB": "1.2.7.1 1.2.9",
            },
            "armv7l": {
                "GLIBC": "2.27",
            },
            "i686": {
                "GLIBC": "2.27",
            },
            "ppc64le": {
                "GLIBC": "2.27",
            },
            "s390x": {
                "GLIBC": "2.27",
            },
            "x86_64": {
                "CXXABI": "1.3.11",
                "GCC": "7.0.0",
                "GLIBC": "2.27",
                "GLIBCXX": "3.4.23 3.4.24",
                "ZLIB": "1.2.7.1 1.2.9",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_28",
        (),
        "aarch64 armv7l i686 ppc64le s390x x86_64",
        {
            "aarch64": {
                "GLIBC": "2.28",
            },
            "armv7l": {
                "GLIBC": "2.28",
            },
            "i686": {
                "GLIBC": "2.28",
            },
            "ppc64le": {
                "GLIBC": "2.28",
            },
            "s390x": {
                "GLIBC": "2.28",
            },
            "x86_64": {
                "GLIBC": "2.28",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_31",
        (),
        "aarch64 armv7l i686 ppc64le riscv64 s390x x86_64",
        {
            "aarch64": {
                "CXXABI": "1.3.12",
                "GLIBC": "2.29 2.30 2.31",
                "GLIBCXX": "3.4.25 3.4.26 3.4.27 3.4.28",
            },
            "armv7l": {
                "CXXABI": "1.3.12",
                "GLIBC": "2.29 2.30 2.31",
                "GLIBCXX": "3.4.25 3.4.26 3.4.27 3.4.28",
            },
            "i686": {
                "CXXABI": "1.3.12",
                "GLIBC": "2.29 2.30 2.31",
                "GLIBCXX": "3.4.25 3.4.26 3.4.27 3.4.28",
            },
            "ppc64le": {
                "CXXABI": "1.3.12",
                "GLIBC": "2.29 2.30 2.31",
                "GLIBCXX": "3.4.25 3.4.26 3.4.27 3.4.28",
            },
            "riscv64": {
                "CXXABI": "1.3 1.3.1 1.3.10 1.3.11 1.3.12 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 1.3.8 1.3.9 TM_1",
                "GCC": "3.0 3.3 3.3.1 3.4 3.4.2 3.4.4 4.0.0 4.2.0 4.3.0 4.4.0 4.5.0 4.7.0 7.0.0",
                "GLIBC": "2.0 2.27 2.28 2.29 2.30 2.31",
                "GLIBCXX": "3.4 3.4.1 3.4.10 3.4.11 3.4.12 3.4.13 3.4.14 3.4.15 3.4.16 3.4.17 3.4.18 3.4.19 3.4.2 3.4.20 3.4.21 3.4.22 3.4.23 3.4.24 3.4.25 3.4.26 3.4.27 3.4.28 3.4.3 3.4.4 3.4.5 3.4.6 3.4.7 3.4.8 3.4.9",
                "LIBATOMIC": "1.0 1.1 1.2",
                "ZLIB": "1.2.0 1.2.0.2 1.2.0.8 1.2.2 1.2.2.3 1.2.2.4 1.2.3.3 1.2.3.4 1.2.3.5 1.2.5.1 1.2.5.2 1.2.7.1 1.2.9",
            },
            "s390x": {
                "CXXABI": "1.3.12",
                "GLIBC": "2.29 2.30 2.31",
                "GLIBCXX": "3.4.25 3.4.26 3.4.27 3.4.28",
            },
            "x86_64": {
                "CXXABI": "1.3.12",
                "GLIBC": "2.29 2.30 2.31",
                "GLIBCXX": "3.4.25 3.4.26 3.4.27 3.4.28",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_34",
        (),
        "aarch64 armv7l i686 ppc64le riscv64 s390x x86_64",
        {
            "aarch64": {
                "CXXABI": "1.3.13",
                "GCC": "11.0",
                "GLIBC": "2.32 2.33 2.34",
                "GLIBCXX": "3.4.29",
            },
            "armv7l": {
                "CXXABI": "1.3.13",
                "GLIBC": "2.32 2.33 2.34",
                "GLIBCXX": "3.4.29",
            },
            "i686": {
                "CXXABI": "1.3.13",
                "GLIBC": "2.32 2.33 2.34",
                "GLIBCXX": "3.4.29",
            },
            "ppc64le": {
                "CXXABI": "1.3.13 IEEE128_1.3.13",
                "GLIBC": "2.32 2.33 2.34",
                "GLIBCXX": "3.4.29 IEEE128_3.4.29 LDBL_3.4.29",
            },
            "riscv64": {
                "CXXABI": "1.3.13",
                "GLIBC": "2.32 2.33 2.34",
                "GLIBCXX": "3.4.29",
            },
            "s390x": {
                "CXXABI": "1.3.13",
                "GLIBC": "2.32 2.33 2.34",
                "GLIBCXX": "3.4.29 LDBL_3.4.29",
            },
            "x86_64": {
                "CXXABI": "1.3.13",
                "GLIBC": "2.32 2.33 2.34",
                "GLIBCXX": "3.4.29",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_35",
        (),
        "aarch64 armv7l i686 ppc64le riscv64 s390x x86_64",
        {
            "aarch64": {
                "GLIBC": "2.35",
                "GLIBCXX": "3.4.30",
            },
            "armv7l": {
                "GLIBC": "2.35",
                "GLIBCXX": "3.4.30",
            },
            "i686": {
                "GCC": "12.0.0",
                "GLIBC": "2.35",
                "GLIBCXX": "3.4.30",
            },
            "ppc64le": {
                "GLIBC": "2.35",
                "GLIBCXX": "3.4.30 IEEE128_3.4.30",
            },
            "riscv64": {
                "GLIBC": "2.35",
                "GLIBCXX": "3.4.30",
            },
            "s390x": {
                "GLIBC": "2.35",
                "GLIBCXX": "3.4.30",
            },
            "x86_64": {
                "GCC": "12.0.0",
                "GLIBC": "2.35",
                "GLIBCXX": "3.4.30",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default bi_windup crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse sse2_slide_hash static_ltree x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_36",
        (),
        "aarch64 armv7l i686 loongarch64 ppc64le riscv64 s390x x86_64",
        {
            "aarch64": {
                "GLIBC": "2.36 ABI_DT_RELR",
            },
            "armv7l": {
                "GLIBC": "2.36 ABI_DT_RELR",
            },
            "i686": {
                "GLIBC": "2.36 ABI_DT_RELR",
                "ZLIB": "1.2.12",
            },
            "loongarch64": {
                "CXXABI": "1.3 1.3.1 1.3.10 1.3.11 1.3.12 1.3.13 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 1.3.8 1.3.9 TM_1",
                "GCC": "3.0 3.3 3.3.1 3.4 3.4.2 3.4.4 4.0.0 4.2.0 4.3.0 4.4.0 4.5.0 4.7.0 7.0.0",
                "GLIBC": "2.0 2.36 ABI_DT_RELR",
                "GLIBCXX": "3.4 3.4.1 3.4.10 3.4.11 3.4.12 3.4.13 3.4.14 3.4.15 3.4.16 3.4.17 3.4.18 3.4.19 3.4.2 3.4.20 3.4.21 3.4.22 3.4.23 3.4.24 3.4.25 3.4.26 3.4.27 3.4.28 3.4.29 3.4.3 3.4.30 3.4.4 3.4.5 3.4.6 3.4.7 3.4.8 3.4.9",
                "LIBATOMIC": "1.0 1.1 1.2",
                "ZLIB": "1.2.0 1.2.0.2 1.2.0.8 1.2.2 1.2.2.3 1.2.2.4 1.2.3.3 1.2.3.4 1.2.3.5 1.2.5.1 1.2.5.2 1.2.7.1 1.2.9",
            },
            "ppc64le": {
                "GLIBC": "2.36 ABI_DT_RELR",
            },
            "riscv64": {
                "GLIBC": "2.36",
            },
            "s390x": {
                "GLIBC": "2.36 ABI_DT_RELR",
            },
            "x86_64": {
                "GLIBC": "2.36 ABI_DT_RELR",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default crc32_acle crc32_combine_gen crc32_combine_gen64 crc32_combine_op crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default deflate_copyright gzflags inflate_copyright inflate_fast inflate_table sse2_slide_hash z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_37",
        (),
        "aarch64 armv7l i686 loongarch64 ppc64le riscv64 s390x x86_64",
        {
            "aarch64": {
                "ZLIB": "1.2.12",
            },
            "armv7l": {
                "GLIBC": "2.37",
                "ZLIB": "1.2.12",
            },
            "i686": {
                "GLIBC": "2.37",
            },
            "loongarch64": {
                "ZLIB": "1.2.12",
            },
            "ppc64le": {
                "ZLIB": "1.2.12",
            },
            "riscv64": {
                "GLIBC": "2.37",
                "ZLIB": "1.2.12",
            },
            "s390x": {
                "ZLIB": "1.2.12",
            },
            "x86_64": {
                "ZLIB": "1.2.12",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default crc32_acle crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default deflate_copyright gzflags inflate_copyright inflate_fast inflate_table sse2_slide_hash z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_38",
        (),
        "aarch64 armv7l i686 loongarch64 ppc64le riscv64 s390x x86_64",
        {
            "aarch64": {
                "GLIBC": "2.38",
            },
            "armv7l": {
                "GLIBC": "2.38",
            },
            "i686": {
                "GLIBC": "2.38",
            },
            "loongarch64": {
                "GLIBC": "2.38",
            },
            "ppc64le": {
                "GLIBC": "2.38",
            },
            "riscv64": {
                "GLIBC": "2.38 ABI_DT_RELR",
            },
            "s390x": {
                "GLIBC": "2.38",
            },
            "x86_64": {
                "GLIBC": "2.38",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default crc32_acle crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default deflate_copyright gzflags inflate_copyright inflate_fast inflate_table sse2_slide_hash z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_39",
        (),
        "aarch64 armv7l i686 loongarch64 ppc64le riscv64 s390x x86_64",
        {
            "aarch64": {
                "CXXABI": "1.3.14 1.3.15",
                "GCC": "13.0.0 14.0 14.0.0",
                "GLIBC": "2.39",
                "GLIBCXX": "3.4.31 3.4.32 3.4.33",
            },
            "armv7l": {
                "CXXABI": "1.3.14 1.3.15",
                "GCC": "14.0.0",
                "GLIBC": "2.39",
                "GLIBCXX": "3.4.31 3.4.32 3.4.33",
            },
            "i686": {
                "CXXABI": "1.3.14 1.3.15",
                "GCC": "13.0.0 14.0.0",
                "GLIBC": "2.39",
                "GLIBCXX": "3.4.31 3.4.32 3.4.33",
            },
            "loongarch64": {
                "CXXABI": "1.3.14 1.3.15",
                "GCC": "14.0.0",
                "GLIBC": "2.39",
                "GLIBCXX": "3.4.31 3.4.32",
            },
            "ppc64le": {
                "CXXABI": "1.3.14 1.3.15",
                "GCC": "14.0.0",
                "GLIBC": "2.39",
                "GLIBCXX": "3.4.31 3.4.32 3.4.33 IEEE128_3.4.31 LDBL_3.4.31",
            },
            "riscv64": {
                "CXXABI": "1.3.14 1.3.15",
                "GCC": "14.0.0",
                "GLIBC": "2.39",
                "GLIBCXX": "3.4.31 3.4.32 3.4.33",
            },
            "s390x": {
                "CXXABI": "1.3.14 1.3.15",
                "GCC": "14.0.0",
                "GLIBC": "2.39",
                "GLIBCXX": "3.4.31 3.4.32 3.4.33 LDBL_3.4.31",
            },
            "x86_64": {
                "CXXABI": "1.3.14 1.3.15",
                "GCC": "13.0.0 14.0.0",
                "GLIBC": "2.39",
                "GLIBCXX": "3.4.31 3.4.32 3.4.33",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default crc32_acle crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default deflate_copyright gzflags inflate_copyright inflate_fast inflate_table sse2_slide_hash z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_40",
        (),
        "aarch64 armv7l i686 loongarch64 ppc64le riscv64 s390x x86_64",
        {
            "aarch64": {
                "GLIBC": "2.40",
            },
            "armv7l": {
                "GLIBC": "2.40",
            },
            "i686": {
                "GLIBC": "2.40",
            },
            "loongarch64": {
                "GLIBC": "2.40",
                "GLIBCXX": "3.4.33",
            },
            "ppc64le": {
                "GLIBC": "2.40",
            },
            "riscv64": {
                "GLIBC": "2.40",
            },
            "s390x": {
                "GLIBC": "2.40",
            },
            "x86_64": {
                "GLIBC": "2.40",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default crc32_acle crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default deflate_copyright gzflags inflate_copyright inflate_fast inflate_table sse2_slide_hash z_errmsg z_vstring zcalloc zcfree",
        },
    ),
    (
        "manylinux_2_41",
        (),
        "aarch64 armv7l i686 loongarch64 ppc64le riscv64 s390x x86_64",
        {
            "aarch64": {
                "GLIBC": "2.41",
            },
            "armv7l": {
                "GLIBC": "2.41",
            },
            "i686": {
                "GLIBC": "2.41",
            },
            "loongarch64": {
                "GLIBC": "2.41",
            },
            "ppc64le": {
                "GLIBC": "2.41",
            },
            "riscv64": {
                "GLIBC": "2.41",
            },
            "s390x": {
                "GLIBC": "2.41",
            },
            "x86_64": {
                "GLIBC": "2.41",
            },
        },
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally adler32_default crc32_acle crc32_le_vgfm_16 crc32_neon crc32_vpmsum crc32_z_default deflate_copyright gzflags inflate_copyright inflate_fast inflate_table sse2_slide_hash z_errmsg z_vstring zcalloc zcfree",
        },
    ),
)
MUSLLINUX: tuple[PolicyRow, ...] = (
    (
        "musllinux_1_1",
        (),
        "aarch64 armv7l i686 ppc64le riscv64 s390x x86_64",
        {},
        "libc.so libz.so.1",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally bi_windup crc32_vpmsum crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg zcalloc zcfree",
        },
    ),
    (
        "musllinux_1_2",
        (),
        "aarch64 armv7l i686 loongarch64 ppc64le riscv64 s390x x86_64",
        {},
        "",
        {
            "libz.so.1": "_dist_code _length_code _tr_align _tr_flush_block _tr_init _tr_stored_block _tr_tally bi_windup crc32_vpmsum crc_fold_512to32 crc_fold_copy crc_fold_init deflate_copyright deflate_medium fill_window flush_pending gzflags inflate_copyright inflate_fast inflate_table longest_match slide_hash_sse static_ltree uncompress2 x86_check_features x86_cpu_has_pclmul x86_cpu_has_sse2 x86_cpu_has_sse42 z_errmsg zcalloc zcfree",
        },
    ),
)
