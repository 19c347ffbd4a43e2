"""Load MNIST digits: the classic CSV files, their verified download, and a packaged sample.

The classic CSV format has no header and one row per image: the label (0-9) followed by
784 pixel values (0-255, the 28x28 image in row-major order).

* :func:`load_mnist_csv` parses such a file strictly and quickly, and caches the parsed arrays.
* :func:`fetch_mnist` downloads the classic ``mnist_train.csv`` / ``mnist_test.csv`` once,
  verifies their size and SHA-256, and loads them.
* :func:`load_sample` returns 5,000 real MNIST digits shipped inside the package.
* :func:`get_data_home` tells where downloads and caches live.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import tempfile
import time
import urllib.error
import urllib.request
import warnings
import zlib
from collections.abc import Callable
from functools import lru_cache
from http.client import HTTPException
from importlib.resources import files
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np
import pandas as pd
import polars as pl
from sklearn.utils import Bunch
from tqdm import tqdm

__all__ = ["fetch_mnist", "get_data_home", "load_mnist_csv", "load_sample"]

logger = logging.getLogger(__name__)

_N_PIXELS = 784
_FEATURE_NAMES = [f"pixel{i}" for i in range(_N_PIXELS)]
_TARGET_NAME = "label"

_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
_NEWLINE = re.compile(rb"\r\n?|\n")
_LABEL_PATTERN = "0*[0-9]"
_PIXEL_PATTERN = "0*(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_CHUNK_BYTES = 1 << 24
_CHECK_BYTES = 1 << 20
_GZIP_PIECE_BYTES = 1 << 20


class _RemoteFile(NamedTuple):
    """One classic file: its name on the server and in the data home, and its integrity data."""

    filename: str
    size: int
    sha256: str


# The single declaration of the classic files. Tests replace this dict to serve small files.
_REMOTE_FILES = {
    "train": _RemoteFile(
        "mnist_train.csv",
        109_575_994,
        "fb60bc58af4dac3554e394af262b3184479833d3cc540ff8783f274b73492d5d",
    ),
    "test": _RemoteFile(
        "mnist_test.csv",
        18_289_443,
        "51c292478d94ec3a01461bdfa82eb0885d262eb09e615679b2d69dedb6ad09e7",
    ),
}
_BASE_URL = "https://pjreddie.com/media/files/"
_TIMEOUT_S = 60.0
_SAMPLE_FILE = "mnist_sample.npz"
_CACHE_DIR = "csv_cache"
_CACHE_VERSION = 1
_FINGERPRINT_WINDOWS = 16
_FINGERPRINT_WINDOW_BYTES = 1 << 16

_DESCR = """\
.. _mnist_dataset:

{heading}
{underline}

**Data Set Characteristics:**

:Number of Instances: {n_samples}
:Number of Attributes: 784 greyscale pixels (a 28x28 image in row-major order), integers 0-255
:Classes: 10, the digits 0-9
:Creators: Yann LeCun and Corinna Cortes, with Christopher J.C. Burges
:Source: https://yann.lecun.com/exdb/mnist/ (classic CSV files: {source})
:License: Creative Commons Attribution-Share Alike 3.0,
    https://creativecommons.org/licenses/by-sa/3.0/

The MNIST database of handwritten digits has a training set of 60,000 examples and a test set
of 10,000 examples. It is a subset of a larger set available from NIST. The digits have been
size-normalized to fit a 20x20 box, then centred by their centre of mass in a 28x28 image.
White ink on black: 0 is background, 255 full ink.
{notes}"""


# --------------------------------------------------------------------------------------------
# Data home
# --------------------------------------------------------------------------------------------


def _data_home_path(data_home: str | os.PathLike[str] | None) -> Path:
    """Resolve the data home without creating it."""
    if data_home is None:
        data_home = os.environ.get("BPMNIST_DATA") or os.path.join("~", "bpmnist_data")
    return Path(data_home).expanduser()


def get_data_home(data_home: str | os.PathLike[str] | None = None) -> str:
    """Return the folder that holds downloaded MNIST files and parsed-CSV caches.

    The folder is created if it does not exist yet.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use. By default, the ``BPMNIST_DATA`` environment variable when it is
        set and not empty, otherwise ``~/bpmnist_data``. A leading ``~`` is expanded.

    Returns
    -------
    data_home : str
        The path of the folder.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from bpmnist.datasets import get_data_home
    >>> home = get_data_home(os.path.join(tempfile.mkdtemp(), "mnist"))
    >>> os.path.isdir(home)
    True
    """
    path = _data_home_path(data_home)
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def _csv_error(name: str, line: int, column: int | None, problem: str) -> ValueError:
    """Build the error for a malformed file, naming the file, the line and the column."""
    where = f"line {line}" if column is None else f"line {line}, column {column}"
    return ValueError(f"Invalid MNIST CSV file {name}, {where}: {problem}.")


def _shorten(field: str) -> str:
    return repr(field if len(field) <= 20 else field[:17] + "...")


def _is_header(line: str, n_pixels: int) -> bool:
    """Tell whether the first line is a header such as ``label,pixel0,...`` or ``label,1x1,...``.

    A header has exactly one field per column, and none of them is empty or a plain number:
    a line holding any number is read, and validated, as a digit.
    """
    fields = line.split(",")
    return len(fields) == n_pixels + 1 and all(
        field and not (field.isascii() and field.isdigit()) for field in fields
    )


def _split_first_line(content: bytes) -> tuple[str, int, int]:
    """Return the first line (without BOM and line terminator), its offset after any BOM,
    and the offset of the next line."""
    start = len(_BOM) if content.startswith(_BOM) else 0
    match = _NEWLINE.search(content, start)
    end, next_start = (match.start(), match.end()) if match else (len(content), len(content))
    return content[start:end].decode("utf-8", errors="replace"), start, next_start


def _has_only_csv_bytes(content: bytes, start: int) -> bool:
    """Tell whether ``content[start:]`` holds nothing but digits, commas and line breaks."""
    view = np.frombuffer(content, dtype=np.uint8)
    for begin in range(start, view.size, _CHECK_BYTES):
        chunk = view[begin : begin + _CHECK_BYTES]
        other = (chunk > ord("9")) | (
            (chunk < ord("0")) & (chunk != ord(",")) & (chunk != ord("\n")) & (chunk != ord("\r"))
        )
        if other.any():
            return False
    return True


def _parse_fast(
    content: bytes, *, skip_header: bool, n_pixels: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Parse well-formed content with polars' multithreaded CSV reader and a uint8 schema.

    Returns None when polars rejects the content (a row with too many fields, a field that
    is not an integer in 0-255, ...) or reads a missing value (an empty field, a short row,
    an empty line): the caller then runs the diagnostic pass.
    """
    if b"\r" in content:  # polars ends lines at "\n" only; "\r\n" and "\r" become "\n"
        content = content.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    names = [f"c{i}" for i in range(n_pixels + 1)]
    try:
        frame = pl.read_csv(
            content,
            has_header=False,
            skip_rows=int(skip_header),
            schema=dict.fromkeys(names, pl.UInt8),
            quote_char=None,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height == 0 or any(frame.null_count().row(0)):
        return None
    X = frame.select(names[1:]).to_numpy(order="c")
    y = frame.get_column(names[0]).to_numpy().astype(np.int64)
    return X, y


@lru_cache(maxsize=4)
def _valid_row(n_pixels: int) -> re.Pattern[str]:
    return re.compile(f"{_LABEL_PATTERN}(?:,{_PIXEL_PATTERN}){{{n_pixels}}}")


def _row_problem(line: str, n_pixels: int) -> tuple[int | None, str] | None:
    """Return the (1-based column, problem) of the first fault of a data row, or None."""
    fields = line.split(",")
    if len(fields) != n_pixels + 1:
        return None, (
            f"expected {n_pixels + 1} comma-separated fields (the label then {n_pixels} pixels), "
            f"found {len(fields)}"
        )
    for column, field in enumerate(fields, start=1):
        kind, top = ("label", 9) if column == 1 else ("pixel", 255)
        if not field:
            return column, f"empty {kind} field"
        if not (field.isascii() and field.isdigit()):
            return column, f"{kind} {_shorten(field)} is not a non-negative decimal integer"
        digits = field.lstrip("0") or "0"
        if len(digits) > 3 or int(digits) > top:
            return column, f"{kind} {_shorten(field)} is outside 0-{top}"
    return None


def _find_error(content: bytes, name: str, n_pixels: int, header: bool) -> ValueError | None:
    """Slow diagnostic pass, run only when the fast parser rejected ``content``.

    Reads the content line by line (``\\n``, ``\\r\\n`` and ``\\r`` end a line, as for the fast
    parser) and returns the error for the first fault, or None when there is none. ``header``
    tells whether the first line is a header, to be skipped.
    """
    valid_row = _valid_row(n_pixels)
    text = io.TextIOWrapper(
        io.BytesIO(content), encoding="utf-8-sig", errors="replace", newline=None
    )
    n_rows = 0
    for number, line in enumerate(text, start=1):
        row = line.removesuffix("\n")
        if number == 1 and header:
            continue
        n_rows += 1
        if not valid_row.fullmatch(row):
            problem = _row_problem(row, n_pixels)
            if problem is not None:
                return _csv_error(name, number, *problem)
    if n_rows == 0:
        if header:
            return _csv_error(name, 2, None, "the header is not followed by any digit row")
        return _csv_error(name, 1, None, "the file is empty")
    return None


def _parse_csv(content: bytes, name: str, n_pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """Parse decompressed CSV content into ``(X, y)``, or raise a ValueError locating the fault."""
    first_line, start, next_start = _split_first_line(content)
    header = _is_header(first_line, n_pixels)
    body_start = next_start if header else start
    # polars also accepts blanks around numbers and a "+" sign, which the format does not
    # allow: any byte other than digits, commas and line breaks goes to the slow pass.
    if _has_only_csv_bytes(content, body_start):
        parsed = _parse_fast(content, skip_header=header, n_pixels=n_pixels)
        if parsed is not None and parsed[1].max() <= 9:
            return parsed
    # Refuse the file even if the two passes were ever to disagree on it.
    raise _find_error(content, name, n_pixels, header) or ValueError(
        f"Invalid MNIST CSV file {name}: rejected by the CSV parser."
    )


def _line_count(data: bytes) -> int:
    """Number of the line that ``data`` ends in."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") + 1


def _gunzip(raw: bytes, name: str) -> bytes:
    """Decompress gzip data, one or more members; a truncated or corrupt stream raises a
    ValueError naming the line where the readable data ends."""
    chunks = []
    view = memoryview(raw)
    position = 0
    try:
        while position < len(raw):
            member = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            while not member.eof and position < len(raw):
                piece = view[position : position + _GZIP_PIECE_BYTES]
                chunks.append(member.decompress(piece))
                position += len(piece)
            if not member.eof:
                raise EOFError("the compressed data ends before the end-of-stream marker")
            position -= len(member.unused_data)
    except (EOFError, zlib.error) as err:
        line = _line_count(b"".join(chunks))
        raise _csv_error(
            name, line, None, f"the gzip data is truncated or corrupt ({err})"
        ) from None
    return b"".join(chunks)


def _decompress(raw: bytes, name: str) -> bytes:
    return _gunzip(raw, name) if raw.startswith(_GZIP_MAGIC) else raw


# --------------------------------------------------------------------------------------------
# Cache of parsed files
# --------------------------------------------------------------------------------------------


def _file_identity(path: str | os.PathLike[str]) -> dict[str, object]:
    """What tells one version of a file from another without reading it: inode, size, times."""
    stat = os.stat(path)
    return {
        "inode": stat.st_ino,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "ctime_ns": stat.st_ctime_ns,
    }


def _cache_key(path: str) -> dict[str, object]:
    """What identifies one version of a file, and the cache format, without reading the file."""
    return {
        "version": _CACHE_VERSION,
        "path": os.path.realpath(path),
        "device": os.stat(path).st_dev,
        **_file_identity(path),
    }


def _fingerprint(file: IO[bytes], size: int) -> str:
    """SHA-256 of 16 windows of 64 KiB spread evenly over the file, first and last included."""
    digest = hashlib.sha256(str(size).encode())
    if size <= _FINGERPRINT_WINDOWS * _FINGERPRINT_WINDOW_BYTES:
        digest.update(file.read())
    else:
        step = (size - _FINGERPRINT_WINDOW_BYTES) / (_FINGERPRINT_WINDOWS - 1)
        for i in range(_FINGERPRINT_WINDOWS):
            file.seek(round(i * step))
            digest.update(file.read(_FINGERPRINT_WINDOW_BYTES))
    return digest.hexdigest()


def _cache_file(path: str, data_home: str | os.PathLike[str] | None) -> Path:
    name = hashlib.sha256(os.fsencode(os.path.realpath(path))).hexdigest()[:32]
    return _data_home_path(data_home) / _CACHE_DIR / f"{name}.npycache"


def _read_cache(
    cache_file: Path, key: dict[str, object], path: str, n_pixels: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the cached arrays if they belong to this exact version of ``path``, else None."""
    try:
        with open(cache_file, "rb") as file:
            meta = json.loads(np.load(file, allow_pickle=False).tobytes())
            if not isinstance(meta, dict) or meta.get("key") != key:
                return None
            with open(path, "rb") as source:
                if meta.get("fingerprint") != _fingerprint(source, key["size"]):
                    return None
            X = np.load(file, allow_pickle=False)
            y = np.load(file, allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    n_rows = meta.get("n_rows")
    if X.dtype != np.uint8 or X.shape != (n_rows, n_pixels):
        return None
    if y.dtype != np.int64 or y.shape != (n_rows,):
        return None
    return X, y


def _write_cache(
    cache_file: Path, key: dict[str, object], fingerprint: str, X: np.ndarray, y: np.ndarray
) -> None:
    """Write the cache entry atomically (temporary file and rename); warn if that fails."""
    meta = {"key": key, "fingerprint": fingerprint, "n_rows": len(y)}

    def write(file: IO[bytes]) -> None:
        np.save(file, np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
        np.save(file, X)
        np.save(file, y)

    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        _replace_file(cache_file, write)
    except OSError as err:
        warnings.warn(
            f"Could not cache the parsed file in {cache_file} ({err}); it will be parsed again "
            "next time. Pass cache=False to skip the cache, or choose another data_home.",
            UserWarning,
            stacklevel=5,
        )


def _replace_file(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Have ``write`` fill a new file next to ``target``, then rename it to ``target``."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def _parse_raw(raw: bytes, name: str, n_pixels: int) -> tuple[np.ndarray, np.ndarray]:
    """Parse the bytes of a plain or gzip-compressed file."""
    return _parse_csv(_decompress(raw, name), name, n_pixels)


def _load_cached(
    path: str, data_home: str | os.PathLike[str] | None, n_pixels: int
) -> tuple[np.ndarray, np.ndarray]:
    """Load a file through the cache; see the Notes of :func:`load_mnist_csv`."""
    key = _cache_key(path)
    cache_file = _cache_file(path, data_home)
    cached = _read_cache(cache_file, key, path, n_pixels)
    if cached is not None:
        return cached
    raw = Path(path).read_bytes()
    X, y = _parse_raw(raw, path, n_pixels)
    # The fingerprint is of the bytes just parsed, so the entry describes the arrays it holds
    # even if the file changed after its key was taken (the key then no longer matches).
    _write_cache(cache_file, key, _fingerprint(io.BytesIO(raw), len(raw)), X, y)
    return X, y


def _load_arrays(
    path_or_file: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    cache: bool,
    data_home: str | os.PathLike[str] | None,
    n_pixels: int = _N_PIXELS,
) -> tuple[np.ndarray, np.ndarray]:
    """Shared body of :func:`load_mnist_csv`; ``n_pixels`` lets tests use narrow tables."""
    if hasattr(path_or_file, "read"):
        name = getattr(path_or_file, "name", None)
        name = name if isinstance(name, str) else f"<{type(path_or_file).__name__}>"
        raw = path_or_file.read()
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        return _parse_raw(raw, name, n_pixels)
    path = os.fspath(path_or_file)
    if cache:
        return _load_cached(path, data_home, n_pixels)
    return _parse_raw(Path(path).read_bytes(), path, n_pixels)


def _as_frame(X: np.ndarray, y: np.ndarray) -> tuple[pd.DataFrame, pd.Series]:
    return pd.DataFrame(X, columns=_FEATURE_NAMES), pd.Series(y, name=_TARGET_NAME)


def load_mnist_csv(
    path_or_file: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    as_frame: bool = False,
    cache: bool = True,
    data_home: str | os.PathLike[str] | None = None,
) -> tuple[np.ndarray, np.ndarray] | tuple[pd.DataFrame, pd.Series]:
    """Load a file in the classic MNIST CSV format.

    Each row holds the label (0-9) then the 784 pixels (0-255) of one 28x28 image. The file
    may be gzip-compressed (detected from its first bytes, whatever its name) and may start
    with a header row such as ``label,pixel0,...`` or ``label,1x1,...``: a first line of 785
    fields none of which is a number is skipped; any other line is a digit. Line ends may be
    ``\\n``, ``\\r\\n`` or ``\\r``; numbers may have leading zeros, nothing else (no blanks,
    signs, quotes, decimals or empty lines).

    The file is parsed by polars' multithreaded CSV reader with a ``uint8`` schema. When that
    fails, a slower second pass finds the first faulty line to report it.

    Parameters
    ----------
    path_or_file : str, path-like or file object
        The file to read. A file object is read from its current position, in binary or text
        mode, and is not closed.
    as_frame : bool, default=False
        If True, return a :class:`pandas.DataFrame` with columns ``pixel0`` ... ``pixel783``
        and a :class:`pandas.Series` named ``label`` instead of arrays.
    cache : bool, default=True
        Whether to keep the parsed arrays of a file given by path in ``<data_home>/csv_cache``
        and reuse them while the file is unchanged. File objects are never cached.
    data_home : str or path-like, default=None
        Folder of the cache; see :func:`get_data_home`.

    Returns
    -------
    X : ndarray of shape (n_samples, 784), dtype uint8, or DataFrame
        The pixels, unchanged.
    y : ndarray of shape (n_samples,), dtype int64, or Series
        The labels.

    Raises
    ------
    ValueError
        If the file is empty, has no digit row, is truncated or corrupt gzip data, or a row has
        the wrong number of fields, an empty or non-numeric field, a label outside 0-9 or a
        pixel outside 0-255. The message names the file and the 1-based line (and column).
    OSError
        If the file cannot be read.

    Notes
    -----
    The cache holds one entry per resolved path, a single file written to a temporary name
    then renamed, so a reader sees a complete entry or none. An entry is used only when the
    file's resolved path, device, inode, size, modification time and status-change time (both
    in nanoseconds) all match those recorded, and a fingerprint matches: the SHA-256 of 16
    evenly spread 64 KiB windows of the file (1 MiB, about 2 ms to read and hash). A full
    SHA-256 of the 110 MB training file would take about 0.3 s, several times the 50 ms a
    cached load is allowed. Any write to a file changes its status-change time, which no
    program can set back, so the key alone already detects edits; the fingerprint guards
    against file systems whose timestamps are coarse or unreliable. Entries written while the
    file changed are not kept, and an unreadable entry is parsed again and rewritten.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> from bpmnist.datasets import load_mnist_csv
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "two_digits.csv")
    >>> with open(path, "w") as file:
    ...     _ = file.write("7," + ",".join(["0"] * 784) + "\\n")
    ...     _ = file.write("3," + ",".join(["255"] * 784) + "\\n")
    >>> X, y = load_mnist_csv(path, data_home=folder)
    >>> X.shape, X.dtype, y.tolist()
    ((2, 784), dtype('uint8'), [7, 3])
    >>> X, y = load_mnist_csv(path, data_home=folder)  # unchanged file: read from the cache
    >>> int(X[1].max())
    255
    """
    X, y = _load_arrays(path_or_file, cache=cache, data_home=data_home)
    return _as_frame(X, y) if as_frame else (X, y)


# --------------------------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------------------------


class _IncompleteDownload(OSError):
    """The server sent fewer bytes than expected: worth another try."""


class _CorruptDownload(OSError):
    """The server sent different data than expected: not worth another try."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _marker_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _marker_record(path: Path, remote: _RemoteFile) -> dict[str, object]:
    return {"sha256": remote.sha256, **_file_identity(path)}


def _write_marker(path: Path, remote: _RemoteFile) -> None:
    """Remember that ``path``, as it is now, has the expected checksum (best effort)."""
    record = json.dumps(_marker_record(path, remote)).encode()
    with contextlib.suppress(OSError):
        _replace_file(_marker_path(path), lambda file: file.write(record))


def _is_verified(path: Path, remote: _RemoteFile) -> bool:
    """Tell whether ``path`` is the expected file, hashing it only if not verified before."""
    try:
        marker = json.loads(_marker_path(path).read_text())
    except (OSError, ValueError):
        marker = None
    record = _marker_record(path, remote)
    if marker == record:
        return True
    if record["size"] != remote.size or _sha256_file(path) != remote.sha256:
        return False
    _write_marker(path, remote)
    return True


def _manual_hint(url: str, path: Path, remote: _RemoteFile) -> str:
    return (
        f"To install it by hand, download {url} ({remote.size:,} bytes, sha256 {remote.sha256}) "
        f"and save it as {path}, or point data_home (or the BPMNIST_DATA environment variable) "
        "at a folder that holds it."
    )


def _is_transient(error: BaseException) -> bool:
    """Tell whether a failed download is worth another try."""
    if isinstance(error, urllib.error.HTTPError):
        return error.code >= 500 or error.code in (408, 429)
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, str):
        return False  # a malformed URL ("unknown url type", "no host given") stays so
    return isinstance(
        error,
        (urllib.error.URLError, ConnectionError, TimeoutError, HTTPException, _IncompleteDownload),
    )


def _download_once(url: str, path: Path, remote: _RemoteFile, *, verbose: bool) -> None:
    """Stream ``url`` into a temporary file next to ``path``, verify it, then rename it."""
    request = urllib.request.Request(url, headers={"User-Agent": "bpmnist"})
    tmp = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
    )
    try:
        digest = hashlib.sha256()
        received = 0
        with (
            tmp,
            urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response,
            tqdm(
                total=remote.size,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=remote.filename,
                disable=None if verbose else True,
            ) as progress,
        ):
            while chunk := response.read(1 << 20):
                received += len(chunk)
                if received > remote.size:
                    raise _CorruptDownload(
                        f"{url} sent more than the expected {remote.size:,} bytes"
                    )
                digest.update(chunk)
                tmp.write(chunk)
                progress.update(len(chunk))
            tmp.flush()
            os.fsync(tmp.fileno())
        if received < remote.size:
            raise _IncompleteDownload(f"{url} sent {received:,} bytes instead of {remote.size:,}")
        if digest.hexdigest() != remote.sha256:
            raise _CorruptDownload(
                f"{url} sent data with sha256 {digest.hexdigest()} instead of {remote.sha256}"
            )
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise


def _download(
    url: str, path: Path, remote: _RemoteFile, *, n_retries: int, delay: float, verbose: bool
) -> None:
    """Download, trying again after a transient error, waiting twice as long each time."""
    logger.info("Downloading %s to %s", url, path)
    for attempt in range(n_retries + 1):
        try:
            _download_once(url, path, remote, verbose=verbose)
        except (OSError, HTTPException) as err:
            if isinstance(err, urllib.error.HTTPError):
                err.close()
            if attempt == n_retries or not _is_transient(err):
                raise OSError(
                    f"Could not download {remote.filename} (attempt {attempt + 1} of "
                    f"{n_retries + 1}): {err}. {_manual_hint(url, path, remote)}"
                ) from err
            logger.warning("Download of %s failed (%s); trying again", url, err)
            time.sleep(delay * 2**attempt)
        else:
            _write_marker(path, remote)
            return


# --------------------------------------------------------------------------------------------
# Public loaders
# --------------------------------------------------------------------------------------------


def _describe(title: str, n_samples: int, *, source: str, notes: str = "") -> str:
    heading = f"MNIST handwritten digits ({title})"
    return _DESCR.format(
        heading=heading,
        underline="=" * len(heading),
        n_samples=f"{n_samples:,}",
        source=source,
        notes=notes,
    )


def _bunch(
    X: np.ndarray,
    y: np.ndarray,
    *,
    as_frame: bool,
    return_X_y: bool,
    descr: str,
    **extra: object,
) -> Bunch | tuple[np.ndarray, np.ndarray] | tuple[pd.DataFrame, pd.Series]:
    """Package arrays the way scikit-learn's loaders do."""
    frame = None
    if as_frame:
        X, y = _as_frame(X, y)
        frame = X.assign(**{_TARGET_NAME: y})
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=list(_FEATURE_NAMES),
        target_names=np.arange(10),
        DESCR=descr,
        **extra,
    )


def fetch_mnist(
    subset: str = "train",
    *,
    data_home: str | os.PathLike[str] | None = None,
    base_url: str = _BASE_URL,
    download_if_missing: bool = True,
    return_X_y: bool = False,
    as_frame: bool = False,
    cache: bool = True,
    n_retries: int = 3,
    delay: float = 1.0,
    verbose: bool = True,
) -> Bunch | tuple[np.ndarray, np.ndarray] | tuple[pd.DataFrame, pd.Series]:
    """Load the classic MNIST training or test set, downloading it on first use.

    The classic files ``mnist_train.csv`` (60,000 digits, 109,575,994 bytes) and
    ``mnist_test.csv`` (10,000 digits, 18,289,443 bytes) are kept in ``data_home``. A download
    streams into a temporary file in that folder, with a progress bar, and is renamed to its
    final name only once its size and SHA-256 match, so an interrupted or corrupted download
    never leaves a file that looks valid. A file found there is hashed once; its verified
    state is remembered (in a ``.verified`` file next to it) until the file changes, so it is
    neither downloaded nor hashed again.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        Which file to load.
    data_home : str or path-like, default=None
        Folder for the files and caches; see :func:`get_data_home`.
    base_url : str, default="https://pjreddie.com/media/files/"
        Where to download from: the file's name is appended. Use it to name a mirror.
    download_if_missing : bool, default=True
        If False, raise an error instead of downloading a missing file.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        If True, ``data`` is a :class:`pandas.DataFrame`, ``target`` a :class:`pandas.Series`
        and ``frame`` a DataFrame holding both.
    cache : bool, default=True
        Whether to cache the parsed arrays; see :func:`load_mnist_csv`.
    n_retries : int, default=3
        How many more times to try after a connection failure or a server error (HTTP 5xx).
    delay : float, default=1.0
        Seconds to wait before the first retry; each further retry waits twice as long.
    verbose : bool, default=True
        Whether to show a progress bar while downloading (only ever on a terminal).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : ndarray of shape (n_samples, 784), dtype uint8, or DataFrame
            The pixels, 0-255.
        target : ndarray of shape (n_samples,), dtype int64, or Series
            The digits, 0-9.
        frame : DataFrame or None
            The pixels and the ``label`` column when ``as_frame=True``, else None.
        feature_names : list of str
            ``pixel0`` ... ``pixel783``.
        target_names : ndarray of shape (10,)
            The digits 0-9.
        DESCR : str
            Description and licence of the data.
        filename : str
            Path of the CSV file.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays (or DataFrame and Series) described above.

    Raises
    ------
    FileNotFoundError
        If the file is missing and ``download_if_missing`` is False. The message says which
        file to download, from where, and where to put it.
    OSError
        If the download fails (after the retries) or does not match the expected size and
        SHA-256, or if ``download_if_missing`` is False and the file present is not the
        expected one. The message says how to install the file by hand.
    ValueError
        If ``subset`` is not "train" or "test".

    See Also
    --------
    load_sample : 5,000 MNIST digits shipped with the package, for offline use.

    Examples
    --------
    Without network access, an empty data home gives instructions:

    >>> import tempfile
    >>> from bpmnist.datasets import fetch_mnist
    >>> home = tempfile.mkdtemp()
    >>> fetch_mnist("test", data_home=home, download_if_missing=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: mnist_test.csv is not in ... download https://pjreddie.com/...

    With network access (the first call downloads 110 MB):

    >>> mnist = fetch_mnist("train")  # doctest: +SKIP
    >>> mnist.data.shape, mnist.target[:5].tolist()  # doctest: +SKIP
    ((60000, 784), [5, 0, 4, 1, 9])
    """
    if subset not in _REMOTE_FILES:
        raise ValueError(f"subset must be one of {sorted(_REMOTE_FILES)}, got {subset!r}.")
    remote = _REMOTE_FILES[subset]
    path = Path(get_data_home(data_home)) / remote.filename
    url = base_url.rstrip("/") + "/" + remote.filename
    if not path.exists():
        if not download_if_missing:
            raise FileNotFoundError(
                f"{remote.filename} is not in {path.parent} and download_if_missing=False. "
                + _manual_hint(url, path, remote)
            )
        _download(url, path, remote, n_retries=n_retries, delay=delay, verbose=verbose)
    elif not _is_verified(path, remote):
        problem = f"{path} is not the classic {remote.filename} (wrong size or sha256)"
        if not download_if_missing:
            raise OSError(f"{problem}. {_manual_hint(url, path, remote)}")
        warnings.warn(f"{problem}; downloading it again.", UserWarning, stacklevel=2)
        _download(url, path, remote, n_retries=n_retries, delay=delay, verbose=verbose)
    X, y = load_mnist_csv(path, cache=cache, data_home=data_home)
    descr = _describe(f"classic {subset} set", len(y), source=url)
    return _bunch(X, y, as_frame=as_frame, return_X_y=return_X_y, descr=descr, filename=str(path))


def load_sample(
    *, return_X_y: bool = False, as_frame: bool = False
) -> Bunch | tuple[np.ndarray, np.ndarray] | tuple[pd.DataFrame, pd.Series]:
    """Load 5,000 real MNIST digits shipped with the package, 500 of each class.

    They are rows of the classic training file chosen at random with a fixed seed by
    ``tools/make_sample.py``, kept in their original order. Use them offline: in examples,
    tests and quick experiments.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    as_frame : bool, default=False
        If True, ``data`` is a :class:`pandas.DataFrame`, ``target`` a :class:`pandas.Series`
        and ``frame`` a DataFrame holding both.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : ndarray of shape (5000, 784), dtype uint8, or DataFrame
            The pixels, 0-255.
        target : ndarray of shape (5000,), dtype int64, or Series
            The digits, 0-9.
        frame : DataFrame or None
            The pixels and the ``label`` column when ``as_frame=True``, else None.
        feature_names : list of str
            ``pixel0`` ... ``pixel783``.
        target_names : ndarray of shape (10,)
            The digits 0-9.
        DESCR : str
            Description and licence of the data.
        filename : str
            Name of the data file inside the package.
        data_module : str
            The package that holds it.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays (or DataFrame and Series) described above.

    See Also
    --------
    fetch_mnist : The full classic training and test sets.

    Examples
    --------
    >>> import numpy as np
    >>> from bpmnist.datasets import load_sample
    >>> sample = load_sample()
    >>> sample.data.shape, sample.data.dtype
    ((5000, 784), dtype('uint8'))
    >>> np.bincount(sample.target).tolist()
    [500, 500, 500, 500, 500, 500, 500, 500, 500, 500]
    """
    with (files("bpmnist") / "data" / _SAMPLE_FILE).open("rb") as file, np.load(file) as npz:
        X, y = npz["data"], npz["target"]
    descr = _describe(
        "packaged sample",
        len(y),
        source=_BASE_URL + _REMOTE_FILES["train"].filename,
        notes=(
            "\nThis sample holds 500 digits of each class drawn from the classic training file\n"
            "with a fixed seed by tools/make_sample.py; see bpmnist/data/README.md.\n"
        ),
    )
    return _bunch(
        X,
        y,
        as_frame=as_frame,
        return_X_y=return_X_y,
        descr=descr,
        filename=_SAMPLE_FILE,
        data_module="bpmnist.data",
    )
