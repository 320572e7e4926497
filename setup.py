"""Build the compiled coordinate-descent kernels (everything else is in pyproject.toml)."""

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

KERNELS = ["_gaussian", "_binomial", "_group", "_sparse", "_gram"]

extensions = [
    Extension(
        f"penstat.solver._cd.{name}",
        [f"penstat/solver/_cd/{name}.pyx"],
        # the kernels' C headers (_simd.h) sit next to the .pyx files
        include_dirs=[np.get_include(), "penstat/solver/_cd"],
        depends=["penstat/solver/_cd/_common.pxd", "penstat/solver/_cd/_simd.h"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        extra_compile_args=["-O3"],
    )
    for name in KERNELS
]
# numpy's allocator for resampling tasks (penstat/_runner.py): large arrays in their
# own mappings, returned to the system when freed
extensions.append(
    Extension(
        "penstat._taskmem",
        ["penstat/_taskmem.pyx"],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_9_API_VERSION")],
        extra_compile_args=["-O2"],
    )
)

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
            "nonecheck": False,
        },
    )
)
