"""Builds the distance_matrix Python package's extension with the project's CMake build.

Only the `_core` target is configured and built, in setuptools' temporary
folder, against the interpreter running pip (so a venv's python finds its
own headers), then copied where setuptools expects the extension. The
libraries it needs (oneTBB, Highway, pybind11, ...) come from Debian:
run scripts/setup first.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = Path(__file__).resolve().parent


def project_version() -> str:
    text = (SOURCE / "CMakeLists.txt").read_text()
    return re.search(r"project\(distance_matrix\s+VERSION\s+([0-9.]+)", text).group(1)


class CMakeExtension(Extension):
    def __init__(self, name: str, target: str):
        super().__init__(name, sources=[])
        self.target = target


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build = Path(self.build_temp).resolve() / "cmake"
        configure = [
            "cmake", "-S", str(SOURCE), "-B", str(build),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython3_EXECUTABLE={sys.executable}",
            "-DDM_WITH_PYTHON=ON",
            "-DDM_BUILD_TESTS=OFF", "-DDM_BUILD_BENCHMARKS=OFF", "-DDM_BUILD_EXAMPLES=OFF",
        ]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build), "--target", ext.target], check=True)
        built = next((build / "python" / "distance_matrix").glob("_core*.so"))
        destination = Path(self.get_ext_fullpath(ext.name))
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, destination)


setup(
    version=project_version(),
    package_dir={"": "python"},
    packages=["distance_matrix"],
    package_data={"distance_matrix": ["*.pyi", "py.typed"]},
    ext_modules=[CMakeExtension("distance_matrix._core", target="_core")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
