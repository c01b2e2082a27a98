"""Where inference runs: CUDA, Apple MPS or the CPU, with a sane CPU thread count."""
from __future__ import annotations

import logging
import os

import torch

from engine.inference.errors import InferenceError

log = logging.getLogger(__name__)


def physical_cores() -> int:
    """Cores this process may use, counting hyper-threads of one core once.

    Torch's default (all logical CPUs) makes SMT siblings fight over one core's
    vector units, which is slower for convolutions than one thread per core.
    """
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return max(1, (os.cpu_count() or 2) // 2)
    cores = set()
    for cpu in allowed:
        base = f"/sys/devices/system/cpu/cpu{cpu}/topology"
        try:
            with open(f"{base}/physical_package_id") as pkg, open(f"{base}/core_id") as core:
                cores.add((pkg.read().strip(), core.read().strip()))
        except OSError:
            cores.add(("cpu", str(cpu)))  # no topology (containers, odd kernels): count it as a core
    return max(1, len(cores))


def choose_device(name: str = "auto") -> torch.device:
    """"auto" -> CUDA if present, else MPS, else CPU; or exactly what was asked, checked."""
    name = (name or "auto").lower()
    if name == "auto":
        if torch.cuda.is_available():
            device = torch.device("cuda")
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            device = torch.device("mps")
        else:
            device = torch.device("cpu")
    else:
        try:
            device = torch.device(name)
        except RuntimeError as exc:
            raise InferenceError(f"unknown device {name!r} (use auto, cpu, cuda, cuda:N or mps)") from exc
        if device.type == "cuda":
            if not torch.cuda.is_available():
                raise InferenceError(f"device {name!r} asked for, but CUDA is not available here")
            if device.index is not None and device.index >= torch.cuda.device_count():
                raise InferenceError(
                    f"device {name!r} asked for, but only {torch.cuda.device_count()} CUDA device(s) exist")
        elif device.type == "mps":
            if getattr(torch.backends, "mps", None) is None or not torch.backends.mps.is_available():
                raise InferenceError(f"device {name!r} asked for, but Apple MPS is not available here")
        elif device.type != "cpu":
            raise InferenceError(f"unsupported device {name!r} (use auto, cpu, cuda, cuda:N or mps)")
    if device.type == "cpu":
        threads = physical_cores()
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        log.info("inference on CPU with %d threads", threads)
    return device


def amp_enabled(device: torch.device, amp: bool) -> bool:
    """fp16 autocast is only a win (and only well supported for these models) on CUDA."""
    return bool(amp) and device.type == "cuda"

