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

    configure_serving()  # one BLAS thread in this process and (via the environment) each worker
    uvicorn.run(
        "app.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        proxy_headers=True,
        **uvicorn_options(get_settings()),
    )
    return 0


def default_workers() -> int:
    """$CONVLENS_WORKERS, else one worker process per core this process may run on."""
    configured = os.environ.get("CONVLENS_WORKERS", "").strip()
    if configured:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


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
        type=int,
        default=default_workers(),
        help="worker processes (default: $CONVLENS_WORKERS, else one per available core)",
    )
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_serve)
    add_engine_commands(sub)
    return run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
