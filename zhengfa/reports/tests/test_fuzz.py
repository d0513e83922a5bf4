"""Generated input posted to every form of the module's view matrix (``core.fuzz``): never a
5xx, and a refused form saves nothing."""

from __future__ import annotations

from zhengfa.core.fuzz import fuzz_matrix

from . import test_matrix

ReportsMatrixFuzz = fuzz_matrix(test_matrix.ReportsMatrix, __name__)
