"""SenseSearch as a package: every package the product imports is declared,
the extras match their requirements files, the `sensesearch` command
dispatches to the programs of the `python -m` forms, and (slow: it builds
a wheel, fetching setuptools) the wheel carries the models and the command."""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

import sensesearch

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = [*sorted((ROOT / "indexing").rglob("*.py")), *sorted((ROOT / "search").rglob("*.py")),
           *sorted(ROOT.glob("app_*.py")), ROOT / "streamlit_app.py", ROOT / "sensesearch.py"]
OWN = {"indexing", "search", "bench", "streamlit_app", "app_views", "app_results", "app_style", "app_train",
       "sensesearch"}


def requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_canonical(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0]))
    return names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_distributions(files: list[Path]) -> dict[str, set[str]]:
    """Distribution -> the product files that import it (at any depth of the code)."""
    providers = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for top in {m.split(".")[0] for m in modules} - OWN - set(sys.stdlib_module_names):
                for distribution in providers.get(top, [top]):
                    found.setdefault(_canonical(distribution), set()).add(path.name)
    return found


def test_every_package_the_product_imports_is_a_declared_requirement() -> None:
    runtime = requirement_names(ROOT / "requirements.txt")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    convert, distill = ({_canonical(re.split(r"[<>=]", r, maxsplit=1)[0]) for r in extras[name]}
                        for name in ("convert", "distill"))
    imported = imported_distributions(PRODUCT)
    undeclared = {d: files for d, files in imported.items() if d not in runtime | convert | distill}
    assert not undeclared
    # The teacher is read at training time only: nothing at query time imports it.
    assert {f for d in distill for f in imported[d]} == {"teacher.py"}
    assert "altair" in imported and "altair" in runtime
    # h5py is read by the AllenNLP converter alone: an extra, not a runtime requirement.
    assert imported["h5py"] == {"weights.py"} and "h5py" not in runtime and convert == {"h5py"}


def test_the_bench_extra_pins_what_requirements_bench_pins() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    lines = [line.split("#", 1)[0].strip() for line in (ROOT / "requirements-bench.txt").read_text().splitlines()]
    assert sorted(extras["bench"]) == sorted(line for line in lines if line and not line.startswith("-"))


def test_the_command_runs_the_index_and_search_programs(tmp_path: Path, capsys) -> None:
    assert sensesearch.main(["index", "status", "--data-dir", str(tmp_path)]) == 2
    assert "No index" in capsys.readouterr().err
    assert sensesearch.main(["search", "river", "--data-dir", str(tmp_path)]) != 0
    assert sensesearch.main(["reindex"]) == 2 and "unknown command 'reindex'" in capsys.readouterr().err
    assert sensesearch.main([]) == 2 and sensesearch.main(["--help"]) == 0


def test_the_app_command_is_streamlit_run_with_the_checkouts_settings() -> None:
    from indexing.ingest import MAX_FILE_BYTES

    argv = sensesearch.app_argv(["--data-dir", "/srv/docs"])
    assert argv[:2] == ["streamlit", "run"] and argv[-4:] == [str(ROOT / "streamlit_app.py"), "--", "--data-dir",
                                                              "/srv/docs"]
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert f"--server.maxUploadSize={config['server']['maxUploadSize']}" in argv
    assert config["server"]["maxUploadSize"] == MAX_FILE_BYTES // 2**20
    assert "--browser.gatherUsageStats=false" in argv and "--server.headless=true" in argv


@pytest.mark.slow
def test_the_wheel_installs_the_command_and_the_shipped_models(tmp_path: Path) -> None:
    source = tmp_path / "src"
    left_out = {".git", ".venv", "data", "build", "tests", "bench", ".devrun", "sensesearch.egg-info"}  # at the top

    def ignore(directory: str, names: list[str]) -> list[str]:
        top = Path(directory) == ROOT
        return [n for n in names if n == "__pycache__" or top and (n in left_out or n.startswith("data-"))]

    shutil.copytree(ROOT, source, ignore=ignore)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"),
                    str(source)], check=True, timeout=600)
    [wheel] = (tmp_path / "dist").glob("sensesearch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("sensesearch.py", "streamlit_app.py", "app_views.py", "app_results.py", "app_style.py",
                    "app_train.py",
                    "indexing/elmo/model/weights.pt",
                    "indexing/elmo/distilled/weights.pt", "indexing/senses/data/wordnet_coarse.json",
                    "indexing/senses/data/WORDNET_LICENSE", "indexing/senses/data/dictionary.json",
                    "indexing/senses/data/dictionary_vectors.npz", "indexing/senses/data/dictionary_glosses.npz",
                    "search/engine.py"):
        assert shipped in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, timeout=600)
    # The installed copy answers from anywhere, with this venv's packages for its requirements.
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([str(target / "bin" / "sensesearch"), "index", "status", "--data-dir", str(tmp_path / "d")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "No index" in done.stderr
    where = subprocess.run([sys.executable, "-c", "import indexing.contextual as c, sensesearch as s; "
                            "print(c.__file__); print(s.APP.exists())"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=True)
    assert where.stdout.split() == [str(target / "indexing" / "contextual.py"), "True"]


def test_every_top_level_module_is_packaged() -> None:
    modules = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["py-modules"]
    assert sorted(modules) == sorted(p.stem for p in ROOT.glob("*.py"))
