"""The networks train to the same weights on every x86-64 CPU: the kernels are fixed before torch runs."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from netreel.nets.store import one_thread


def has_avx2() -> bool:
    cpuinfo = Path("/proc/cpuinfo")
    return platform.machine() in ("x86_64", "AMD64") and cpuinfo.exists() and " avx2" in cpuinfo.read_text()


@pytest.mark.skipif(not has_avx2(), reason="the fixed kernels are those of x86-64 CPUs with AVX2")
def test_importing_netreel_fixes_the_kernels_before_torch_runs():
    """Even when torch is imported first: both settings are read at the first operation."""
    env = {k: v for k, v in os.environ.items() if k not in ("MKL_CBWR", "ATEN_CPU_CAPABILITY")}
    code = (
        "import os, torch, netreel.nets.store\n"
        "torch.ones(64).exp().sum()\n"
        "print(torch.backends.cpu.get_cpu_capability(), os.environ['MKL_CBWR'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["AVX2", "COMPATIBLE"]


def test_a_setting_of_ones_own_is_kept():
    env = {**os.environ, "ATEN_CPU_CAPABILITY": "default"}
    code = "import os, netreel\nprint(os.environ['ATEN_CPU_CAPABILITY'])\n"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "default"


def test_training_runs_on_one_thread_without_onednn_and_restores_both():
    threads, onednn = torch.get_num_threads(), torch.backends.mkldnn.enabled
    with one_thread():
        assert torch.get_num_threads() == 1
        assert torch.backends.mkldnn.enabled is False
    assert (torch.get_num_threads(), torch.backends.mkldnn.enabled) == (threads, onednn)
