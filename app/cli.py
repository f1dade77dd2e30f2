"""`convlens`: the engine's commands plus `serve`, which starts the web app."""

from __future__ import annotations

import argparse
import os
import sys

from engine.cli import add_engine_commands, run


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the app under uvicorn."""
    import uvicorn

    from app.config import get_settings
    from app.serving import uvicorn_options
    from engine.runtime import configure_serving

    try:
        workers = args.workers if args.workers is not None else default_workers()
    except argparse.ArgumentTypeError as exc:
        print(f"convlens serve: CONVLENS_WORKERS: {exc}", file=sys.stderr)
        return 2
    configure_serving()  # one BLAS thread in this process and (via the environment) each worker
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=workers,
        log_level=args.log_level,
        proxy_headers=True,
        **uvicorn_options(get_settings()),
    )
    return 0


def default_workers() -> int:
    """$CONVLENS_WORKERS, else one worker process per core this process may run on."""
    configured = os.environ.get("CONVLENS_WORKERS", "").strip()
    if configured:
        return worker_count(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_count(text: str) -> int:
    """'2' -> 2; a clear error for anything but a whole number of at least 1."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"the number of workers must be a whole number of at least 1, got {text!r}"
        )
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `convlens` console script."""
    parser = argparse.ArgumentParser(
        prog="convlens", description="See what a convolutional neural network does."
    )
    sub = parser.add_subparsers(title="commands")
    p = sub.add_parser("serve", help="start the web app and JSON API")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--workers",
        type=worker_count,
        default=None,
        help="worker processes (default: $CONVLENS_WORKERS, else one per available core)",
    )
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_serve)
    add_engine_commands(sub)
    return run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
