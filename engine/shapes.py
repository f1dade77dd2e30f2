"""The only place that knows output-size and padding arithmetic (conv and pool share it)."""

from __future__ import annotations

from dataclasses import dataclass

Shape = tuple[int, ...]  # a per-sample shape, e.g. (C, H, W)
Pair = tuple[int, int]
KERNEL = "kernel"  # how error messages name a conv layer's window
POOL_WINDOW = "pool window"  # how error messages name a pooling layer's window
PaddingSpec = int | tuple[int, int] | str
MAX_WINDOW_NUMBER = 1 << 16  # no kernel, pool size, stride or padding is larger than this


def as_pair(value: int | tuple[int, int] | list[int], what: str) -> Pair:
    """Turn an int or a pair into a validated pair of positive-or-zero ints."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be an int or a pair of ints, not a bool")
    if isinstance(value, int):
        pair = (value, value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"{what} must be an int or a pair of ints, got {value!r}")
    if min(pair) < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    if max(pair) > MAX_WINDOW_NUMBER:
        raise ValueError(f"{what} must be at most {MAX_WINDOW_NUMBER}, got {value!r}")
    return pair


def resolve_padding(padding: PaddingSpec, kernel: Pair) -> Pair:
    """Padding spec ('same', 'valid', int or pair) -> (pad_h, pad_w) zeros on each side."""
    if padding == "valid":
        return (0, 0)
    if padding == "same":
        if kernel[0] % 2 == 0 or kernel[1] % 2 == 0:
            raise ValueError(
                f"padding='same' needs an odd kernel size, got {kernel[0]}x{kernel[1]}; "
                "use an explicit padding instead"
            )
        return ((kernel[0] - 1) // 2, (kernel[1] - 1) // 2)
    if isinstance(padding, str):
        raise ValueError(f"padding must be 'same', 'valid', an int or a pair, got {padding!r}")
    return as_pair(padding, "padding")


def output_size(
    size: int, kernel: int, stride: int, padding: int = 0, window: str = "kernel"
) -> int:
    """floor((size - kernel + 2 * padding) / stride) + 1; ValueError if the window cannot fit.

    `window` names the window in the error message: "kernel" (conv) or "pool window".
    """
    if stride < 1:
        raise ValueError(f"stride must be at least 1, got {stride}")
    if kernel < 1:
        raise ValueError(f"kernel size must be at least 1, got {kernel}")
    if padding < 0:
        raise ValueError(f"padding must not be negative, got {padding}")
    padded = size + 2 * padding
    if kernel > padded:
        raise ValueError(
            f"a {window} of {kernel} does not fit in an input of {size} padded by {padding} "
            f"(= {padded}); use a smaller {window}"
            + (" or more padding" if window == "kernel" else " or a larger input")
        )
    return (padded - kernel) // stride + 1


def output_hw(
    in_hw: Pair, kernel: Pair, stride: Pair, padding: Pair = (0, 0), window: str = "kernel"
) -> Pair:
    """(H, W) -> (Ho, Wo) for a sliding window."""
    return (
        output_size(in_hw[0], kernel[0], stride[0], padding[0], window),
        output_size(in_hw[1], kernel[1], stride[1], padding[1], window),
    )


def window_bounds(i: int, j: int, kernel: Pair, stride: Pair, padding: Pair) -> dict[str, int]:
    """Output unit (i, j) -> the rows/cols it reads, in padded and in unpadded input coordinates."""
    top, left = i * stride[0], j * stride[1]
    return {
        "padded_row": top,
        "padded_col": left,
        "row": top - padding[0],
        "col": left - padding[1],
        "height": kernel[0],
        "width": kernel[1],
    }


def formula(size: int, kernel: int, stride: int, padding: int = 0, window: str = KERNEL) -> str:
    """The output-size arithmetic written out, e.g. 'floor((5 - 3 + 2*1) / 2) + 1 = 3'."""
    text = f"floor(({size} - {kernel} + 2*{padding}) / {stride}) + 1"
    try:
        return f"{text} = {output_size(size, kernel, stride, padding, window)}"
    except ValueError as exc:
        return f"{text}: impossible, {exc}"


def receptive_field(windows: list[tuple[Pair, Pair, Pair]]) -> dict[str, Pair]:
    """Windows (kernel, stride, padding) from the input up -> what one unit of the last reads.

    Unit (i, j) of the last layer reads input rows offset[0] + i * jump[0] ... + size[0] - 1
    (and likewise for columns); rows outside the image are the layers' zero padding.
    """
    size, jump, offset = [1, 1], [1, 1], [0, 0]
    for kernel, stride, padding in windows:
        for a in (0, 1):
            size[a] += (kernel[a] - 1) * jump[a]
            offset[a] -= padding[a] * jump[a]
            jump[a] *= stride[a]
    return {"size": tuple(size), "jump": tuple(jump), "offset": tuple(offset)}


def receptive_window(rf: dict[str, Pair], i: int, j: int) -> Pair:
    """Unit (i, j) + receptive_field() -> (top, left) input pixel of the window it reads."""
    return (rf["offset"][0] + i * rf["jump"][0], rf["offset"][1] + j * rf["jump"][1])


def formula_hw(
    in_hw: Pair, kernel: Pair, stride: Pair, padding: Pair = (0, 0), window: str = KERNEL
) -> str:
    """formula() for both axes: one line when rows and columns agree, else 'rows: ...; cols: ...'."""
    rows = formula(in_hw[0], kernel[0], stride[0], padding[0], window)
    if (in_hw[0], kernel[0], stride[0], padding[0]) == (in_hw[1], kernel[1], stride[1], padding[1]):
        return rows
    return f"rows: {rows}; cols: {formula(in_hw[1], kernel[1], stride[1], padding[1], window)}"


@dataclass(frozen=True)
class WindowGeometry:
    """A validated sliding window (a conv kernel or a pool window): size, stride, zero padding."""

    kernel: Pair
    stride: Pair
    padding: Pair = (0, 0)
    window: str = KERNEL  # KERNEL or POOL_WINDOW: how error messages name it

    def output_hw(self, in_hw: Pair) -> Pair:
        """(H, W) -> (Ho, Wo); ValueError if the window does not fit."""
        return output_hw(tuple(in_hw), self.kernel, self.stride, self.padding, self.window)

    def formula(self, in_hw: Pair) -> str:
        """The output-size arithmetic for an (H, W) input (formula_hw)."""
        return formula_hw(tuple(in_hw), self.kernel, self.stride, self.padding, self.window)

    def bounds(self, i: int, j: int) -> dict[str, int]:
        """Output unit (i, j) -> the input rows/cols it reads (window_bounds)."""
        return window_bounds(i, j, self.kernel, self.stride, self.padding)


def window_geometry(
    kernel: int | Pair,
    stride: int | Pair | None = None,
    padding: PaddingSpec = 0,
    window: str = KERNEL,
) -> WindowGeometry:
    """Validate kernel, stride (default: the kernel, as pooling does) and padding -> the window.

    ValueError for sizes or strides below 1, negative padding, any number above
    MAX_WINDOW_NUMBER or 'same' with an even kernel.
    """
    conv = window == KERNEL
    kernel = as_pair(kernel, "kernel_size" if conv else "size")
    stride = as_pair(kernel if stride is None else stride, "stride")
    if min(kernel) < 1 or min(stride) < 1:
        what = "pool size and stride" if not conv else "kernel_size and stride"
        raise ValueError(f"{'stride' if conv and min(kernel) >= 1 else what} must be at least 1")
    return WindowGeometry(kernel, stride, resolve_padding(padding, kernel), window)
