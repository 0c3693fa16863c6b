"""config: [tool.crosswheel], config settings, environment fallbacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from crosswheel.config import DEFAULT_BACKEND, load_config, project_label, split_settings
from crosswheel.errors import ConfigError, CrosswheelError


def write_pyproject(tmp_path: Path, text: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_inner_backend_from_tool_table(tmp_path: Path) -> None:
    src = write_pyproject(
        tmp_path, '[tool.crosswheel]\nbackend = "mesonpy"\nbackend-path = ["_build"]\n'
    )
    config = load_config(src, None, environ={})
    assert config.inner.name == "mesonpy"
    assert config.inner.path == ("_build",)
    assert config.target is None


def test_default_inner_backend_is_setuptools_legacy(tmp_path: Path) -> None:
    assert load_config(tmp_path, None, environ={}).inner.name == DEFAULT_BACKEND
    src = write_pyproject(tmp_path, '[project]\nname = "x"\n')
    assert load_config(src, None, environ={}).inner.name == "setuptools.build_meta:__legacy__"


def test_config_setting_wins_over_environment() -> None:
    ours, theirs = split_settings(
        {"target": "aarch64-linux-gnu", "setup-args": ["-Dx=1"], "--build-option": "--foo"},
        environ={"CROSSWHEEL_TARGET": "s390x-linux-gnu", "CROSSWHEEL_TOOLCHAIN": "x-"},
    )
    assert ours == {"target": "aarch64-linux-gnu", "toolchain": "x-"}
    assert theirs == {"setup-args": ["-Dx=1"], "--build-option": "--foo"}


def test_environment_fallbacks() -> None:
    ours, theirs = split_settings(
        None,
        environ={
            "CROSSWHEEL_TARGET": "aarch64-linux-gnu",
            "CROSSWHEEL_TARGET_PYTHON": "/opt/sysroot",
        },
    )
    assert ours == {"target": "aarch64-linux-gnu", "target-python": "/opt/sysroot"}
    assert theirs == {}


def test_repeated_setting_takes_the_last() -> None:
    ours, _ = split_settings({"target": ["x86_64-linux-gnu", "aarch64-linux-gnu"]}, environ={})
    assert ours["target"] == "aarch64-linux-gnu"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tool.crosswheel]\nbakend = "x"\n', "unknown key(s) in [tool.crosswheel]: bakend"),
        ("[tool.crosswheel]\nbackend = 3\n", "backend must be a string"),
        ('[tool.crosswheel]\nbackend-path = "src"\n', "backend-path must be a list"),
        ('[tool.crosswheel]\nbackend = "crosswheel"\n', "names crosswheel itself"),
        ("[tool.crosswheel\n", "is not valid TOML"),
    ],
)
def test_bad_configuration_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    src = write_pyproject(tmp_path, text)
    with pytest.raises(
        CrosswheelError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        load_config(src, None, environ={})


def test_build_requirements_by_canonical_name(tmp_path: Path) -> None:
    src = write_pyproject(
        tmp_path,
        "[build-system]\n"
        'requires = ["crosswheel", "NumPy>=2; python_version>\'3\'", "Meson_Python", "@bad@"]\n',
    )
    config = load_config(src, None, environ={})
    assert config.build_requires == ("crosswheel", "numpy", "meson-python")
    assert load_config(tmp_path / "nowhere", None, environ={}).build_requires == ()


def test_project_label_for_messages(tmp_path: Path) -> None:
    assert project_label(tmp_path) == tmp_path.name
    write_pyproject(tmp_path, '[project]\nname = "crossdemo"\nversion = "1.0.0"\n')
    assert project_label(tmp_path) == "crossdemo 1.0.0"
    write_pyproject(tmp_path, '[project]\nname = "crossdemo"\ndynamic = ["version"]\n')
    assert project_label(tmp_path) == "crossdemo"


def test_readme_configuration_table_is_the_schema() -> None:
    from crosswheel.config import settings_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme


def test_each_setting_has_its_variable_from_the_schema() -> None:
    from crosswheel.config import SCHEMA

    for item in SCHEMA:
        ours, _ = split_settings({}, {item.variable: "x"})
        if item.kind != "words":
            assert ours == {item.name: "x"}


def test_an_empty_target_is_an_error_not_a_native_build() -> None:
    with pytest.raises(ConfigError, match="'target' is empty") as info:
        split_settings({"target": " "}, {})
    assert "crosswheel targets" in (info.value.hint or "")


def test_a_near_miss_setting_is_named_and_still_passed_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ours, theirs = split_settings(
        {"targt": "aarch64-linux-gnu", "builddir": "b", "target-requires": "numpy"}, {}
    )
    assert theirs == {"targt": "aarch64-linux-gnu", "builddir": "b", "target-requires": "numpy"}
    assert ours == {}
    err = capsys.readouterr().err
    assert "did you mean 'target'" in err and "builddir" not in err
    assert "'target-requires' is not" not in err  # crosswheel's own, read by load_config
