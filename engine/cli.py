"""`convlens train | evaluate | download | atlas`: the engine's command-line commands."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from engine.architecture import mnist_cnn
from engine.calibration import calibrate
from engine.data import SPLITS, DataError, load_mnist, resolve_data_dir
from engine.mixed_data import calibration_set, synthetic_training_extra
from engine.plot import plot_curves
from engine.runtime import configure_training
from engine.serialize import (
    BUNDLED_WEIGHTS,
    ModelFileError,
    load_model,
    model_version,
    previous_models,
    save_model,
)
from engine.spec import build_spec
from engine.train import TrainConfig, evaluate, to_input, train, training_subset


def read_arch(path: str) -> dict:
    """A spec file: {"layers": [...]}, or a POST /api/runs body with its "architecture"."""
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the architecture {path}: {exc}") from exc
    if isinstance(doc, dict) and isinstance(doc.get("architecture"), dict):
        doc = doc["architecture"]
    return doc


def cmd_train(args: argparse.Namespace) -> int:
    """Train the bundled architecture (or --arch) and save weights, metadata and a curves PNG."""
    configure_training()  # BLAS threads and the heap: see engine/runtime.py
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        augment=not args.no_augment,
        optimizer=args.optimizer,
        elastic=args.elastic,
        synthetic_per_digit=args.synthetic,
        non_digits_per_kind=args.non_digits,
    )
    model = build_spec(read_arch(args.arch), seed=args.seed) if args.arch else mnist_cnn(args.seed)
    train_x, train_y = load_mnist("train", args.data)
    test_x, test_y = load_mnist("test", args.data)
    if args.train_images is not None:
        if not 1 <= args.train_images <= len(train_x):
            raise ValueError(f"--train-images must be 1 to {len(train_x)}, got {args.train_images}")
        chosen = training_subset(len(train_x), args.train_images, args.seed)
        train_x, train_y = train_x[chosen], train_y[chosen]
    if args.init:  # continue from saved weights of the same architecture
        start_model, start_metadata = load_model(Path(args.init))
        for (_, _, p), (_, _, q) in zip(model.parameters(), start_model.parameters(), strict=True):
            p[...] = q
    started = time.perf_counter()
    extra = synthetic_training_extra(config, args.data)
    history = train(model, to_input(train_x), train_y, config, extra=extra)
    seconds = time.perf_counter() - started
    calibration = calibrate(model, *calibration_set(train_x, train_y, config, args.data))
    result = evaluate(model, to_input(test_x), test_y)
    curves = dataclasses.asdict(history)
    metadata = {
        "dataset": "MNIST",
        "test_accuracy": result["accuracy"],
        "test_loss": result["loss"],
        "per_class_accuracy": result["per_class_accuracy"],
        "confusion_matrix": result["confusion_matrix"],
        "training": {
            **dataclasses.asdict(config),
            "seconds": round(seconds, 1),
            "init": init_record(Path(args.init), start_metadata) if args.init else None,
        },
        "history": curves,
        "calibration": calibration,
        "previous_models": previous_models(Path(args.replaces)) if args.replaces else [],
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
    out = save_model(model, Path(args.out), metadata)
    plot_curves(curves, out.with_suffix(".png"))
    print(f"accuracy: {result['accuracy']:.4f}")
    print(f"saved {out}, {out.with_suffix('.json')} and {out.with_suffix('.png')}")
    return 0


def init_record(path: Path, metadata: dict) -> dict:
    """Where a fine-tune started: the file's name (no directories), its model version, its
    test accuracy and how it was trained."""
    return {
        "file": path.name,
        "version": model_version(path),
        "test_accuracy": metadata.get("test_accuracy"),
        "training": metadata.get("training"),
    }


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Print test accuracy, per-class accuracy and the confusion matrix (or the drawn report)."""
    if args.record:
        from engine.drawn_record import record_drawn

        entries = record_drawn(Path(args.weights), args.data)
        print(f"recorded the is-digit test {entries['digit_test']} and the drawn-set figures")
    model, _ = load_model(Path(args.weights))
    if args.drawn:
        from engine.drawn_report import print_drawn_evaluation

        result = print_drawn_evaluation(
            model, args.data, args.per_digit, max(1, args.per_digit // 2)
        )
        if args.json:
            print(json.dumps(result))
        return 0
    test_x, test_y = load_mnist("test", args.data)
    result = evaluate(model, to_input(test_x), test_y)
    print(f"accuracy: {result['accuracy']:.4f}")
    print("per-class accuracy:")
    for name, acc in zip(model.class_names, result["per_class_accuracy"], strict=True):
        print(f"  {name}: {acc:.4f}")
    print("confusion matrix (rows: true digit, columns: predicted):")
    print("      " + " ".join(f"{c:>5}" for c in model.class_names))
    for name, row in zip(model.class_names, result["confusion_matrix"], strict=True):
        print(f"  {name:>3} " + " ".join(f"{v:>5}" for v in row))
    if args.json:
        print(json.dumps(result))
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    """Fetch (or verify) the four MNIST files into the data directory."""
    for split in SPLITS:
        images, _ = load_mnist(split, args.data)
        print(f"{split}: {len(images)} images OK")
    print(f"MNIST is in {resolve_data_dir(args.data)}")
    return 0


def cmd_atlas(args: argparse.Namespace) -> int:
    """Compute the filter atlas of a model on the MNIST test set and cache it beside the data."""
    from tqdm import tqdm

    from engine.atlas import atlas_path, compute_atlas, save_atlas

    weights = Path(args.weights)
    model, _ = load_model(weights)
    test_x, _ = load_mnist("test", args.data)
    batch = 500

    def progress(starts):
        return tqdm(starts, desc="atlas", unit="batch", total=-(-len(test_x) // batch))

    atlas = compute_atlas(model, test_x, batch_size=batch, progress=progress)
    version = model_version(weights)
    out = save_atlas(atlas, atlas_path(version, args.data), version)
    print(f"saved the filter atlas of {', '.join(atlas)} to {out}")
    return 0


def add_engine_commands(sub: argparse._SubParsersAction) -> None:
    """Register train, evaluate, download and atlas on a subparsers object."""
    data_help = "MNIST folder (default: $CONVLENS_DATA, else ~/.cache/convlens/mnist)"
    p = sub.add_parser("train", help="train the CNN on MNIST")
    p.add_argument("--data", help=data_help)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-augment", action="store_true", help="train on the plain images")
    p.add_argument(
        "--arch",
        help='a network of your own: a JSON file with {"layers": [...]} in the vocabulary of '
        "GET /api/model (or a POST /api/runs body); default: the bundled architecture",
    )
    p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    p.add_argument(
        "--train-images", type=int, help="use this many MNIST training images (default: all)"
    )
    p.add_argument(
        "--synthetic", type=int, default=0, help="drawn training digits per class mixed in"
    )
    p.add_argument(
        "--non-digits",
        type=int,
        default=0,
        help="drawn non-digits per kind, trained towards equal probabilities (outlier exposure)",
    )
    p.add_argument(
        "--elastic", type=float, default=0.0, help="share of images elastically distorted (0-1)"
    )
    p.add_argument("--init", help="start from these weights (same architecture) instead of random")
    p.add_argument(
        "--replaces", help="a model file this one replaces: its accuracy and version are kept"
    )
    p.add_argument("--out", default="runs/mnist_cnn.npz", help="weights path (.npz)")
    p.set_defaults(func=cmd_train)
    p = sub.add_parser("evaluate", help="test accuracy of a saved model")
    p.add_argument("--data", help=data_help)
    p.add_argument("--weights", default=str(BUNDLED_WEIGHTS))
    p.add_argument("--json", action="store_true", help="also print the result as JSON")
    p.add_argument(
        "--drawn",
        action="store_true",
        help="read the project's drawn digits and non-digits (no data needed; MNIST beside if on disk)",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="fit the is-digit test on the tuning drawings and store it with the drawn-set "
        "figures and calibration plots in the model's JSON",
    )
    p.add_argument(
        "--per-digit",
        type=int,
        default=60,
        help="with --drawn: drawings per digit (half as many per non-digit kind)",
    )
    p.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("download", help="download and verify MNIST")
    p.add_argument("--data", help=data_help)
    p.set_defaults(func=cmd_download)
    p = sub.add_parser("atlas", help="top MNIST test patches of every conv kernel (cached)")
    p.add_argument("--data", help=data_help)
    p.add_argument("--weights", default=str(BUNDLED_WEIGHTS))
    p.set_defaults(func=cmd_atlas)


def run(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse, dispatch, and turn known errors into a one-line message and exit code 2."""
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except (DataError, ModelFileError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`convlens evaluate | head`): not a failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point with only the engine's commands."""
    parser = argparse.ArgumentParser(prog="convlens")
    add_engine_commands(parser.add_subparsers(title="commands"))
    return run(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
