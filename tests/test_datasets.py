"""Tests of bpmnist.datasets: offline, on small files written by the tests themselves."""

import gzip
import hashlib
import io
import os
import re
import socket
import threading
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.utils import Bunch

from bpmnist import datasets
from bpmnist.datasets import fetch_mnist, get_data_home, load_mnist_csv, load_sample

N_PIXELS = 784
KAGGLE_HEADER = ",".join(["label"] + [f"pixel{i}" for i in range(N_PIXELS)])
GRID_HEADER = ",".join(["label"] + [f"{r}x{c}" for r in range(1, 29) for c in range(1, 29)])


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    """Keep every test's downloads and caches in its own folder."""
    home = tmp_path / "data_home"
    monkeypatch.setenv("BPMNIST_DATA", str(home))
    return home


def make_digits(n_rows=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(n_rows, N_PIXELS), dtype=np.uint8)
    y = rng.integers(0, 10, size=n_rows).astype(np.int64)
    return X, y


def csv_lines(X, y):
    return [
        ",".join(map(str, [label, *pixels])) for label, pixels in zip(y, X.tolist(), strict=True)
    ]


def csv_text(X, y, *, header=None, newline="\n"):
    lines = ([header] if header else []) + csv_lines(X, y)
    return newline.join(lines) + newline


def write(path, content, *, compress=False):
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def assert_loaded(result, X, y):
    X_got, y_got = result
    assert X_got.dtype == np.uint8 and X_got.shape == X.shape and X_got.flags.c_contiguous
    assert y_got.dtype == np.int64 and y_got.shape == y.shape
    np.testing.assert_array_equal(X_got, X)
    np.testing.assert_array_equal(y_got, y)


# --------------------------------------------------------------------------------------------
# Well-formed files
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("name", ["digits.csv", "digits.csv.gz"])
def test_loads_plain_and_gzip_whatever_the_name(tmp_path, compress, name):
    X, y = make_digits()
    path = write(tmp_path / name, csv_text(X, y), compress=compress)
    assert_loaded(load_mnist_csv(path), X, y)
    assert_loaded(load_mnist_csv(str(path), cache=False), X, y)


@pytest.mark.parametrize("header", [None, KAGGLE_HEADER, GRID_HEADER])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("bom", [False, True])
def test_header_line_endings_and_bom(tmp_path, header, newline, bom):
    X, y = make_digits()
    text = ("\ufeff" if bom else "") + csv_text(X, y, header=header, newline=newline)
    assert_loaded(load_mnist_csv(write(tmp_path / "d.csv", text)), X, y)
    # the last line may also lack its line break
    assert_loaded(load_mnist_csv(write(tmp_path / "e.csv", text.rstrip(newline))), X, y)


def test_leading_zeros_are_decimal_numbers(tmp_path):
    X, _ = make_digits(n_rows=1)
    fields = ["007"] + [f"00{v}" for v in X[0]]
    path = write(tmp_path / "zeros.csv", ",".join(fields) + "\n")
    assert_loaded(load_mnist_csv(path), X, np.array([7]))


def test_extreme_values(tmp_path):
    X = np.array([[0] * N_PIXELS, [255] * N_PIXELS], dtype=np.uint8)
    y = np.array([0, 9])
    assert_loaded(load_mnist_csv(write(tmp_path / "x.csv", csv_text(X, y))), X, y)


def test_file_objects_binary_and_text(tmp_path):
    X, y = make_digits()
    text = csv_text(X, y, header=KAGGLE_HEADER)
    path = write(tmp_path / "d.csv", text)
    with open(path, "rb") as binary:
        assert_loaded(load_mnist_csv(binary), X, y)
        assert not binary.closed
    with open(path) as textfile:
        assert_loaded(load_mnist_csv(textfile), X, y)
    assert_loaded(load_mnist_csv(io.StringIO(text)), X, y)
    assert_loaded(load_mnist_csv(io.BytesIO(gzip.compress(text.encode()))), X, y)


def test_file_objects_are_not_cached(tmp_path, data_home):
    X, y = make_digits()
    with open(write(tmp_path / "d.csv", csv_text(X, y)), "rb") as file:
        load_mnist_csv(file)
    assert not (data_home / "csv_cache").exists()


def test_as_frame(tmp_path):
    X, y = make_digits()
    frame, target = load_mnist_csv(write(tmp_path / "d.csv", csv_text(X, y)), as_frame=True)
    assert isinstance(frame, pd.DataFrame) and isinstance(target, pd.Series)
    assert list(frame.columns) == [f"pixel{i}" for i in range(N_PIXELS)]
    assert (frame.dtypes == np.uint8).all() and target.dtype == np.int64
    assert target.name == "label"
    np.testing.assert_array_equal(frame.to_numpy(), X)
    np.testing.assert_array_equal(target.to_numpy(), y)


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_mnist_csv(tmp_path / "nowhere.csv")


# --------------------------------------------------------------------------------------------
# Malformed files: ValueError naming the file, the line and the column
# --------------------------------------------------------------------------------------------


def set_field(lines, row, column, value):
    """Replace the field at 1-based (row, column)."""
    fields = lines[row - 1].split(",")
    fields[column - 1] = value
    lines[row - 1] = ",".join(fields)
    return lines


def _bad_lines():
    X, y = make_digits(n_rows=3)
    good = csv_lines(X, y)
    shorter = ",".join(good[1].split(",")[:-1])

    def bad(row, column, value):
        return set_field(good[:], row, column, value)

    return {
        "too few fields": ([good[0], shorter, good[2]], r"line 2: expected 785 .*found 784"),
        "too many fields": ([*good[:2], good[2] + ",0"], r"line 3: expected 785 .*found 786"),
        "non-numeric": (bad(2, 10, "abc"), r"line 2, column 10: pixel 'abc' is not"),
        "empty field": (bad(3, 785, ""), r"line 3, column 785: empty pixel field"),
        "empty label": (bad(1, 1, ""), r"line 1, column 1: empty label field"),
        "label 10": (bad(3, 1, "10"), r"line 3, column 1: label '10' is outside 0-9"),
        "label 256": (bad(2, 1, "256"), r"line 2, column 1: label '256' is outside 0-9"),
        "pixel 256": (bad(1, 2, "256"), r"line 1, column 2: pixel '256' is outside 0-255"),
        "pixel 1000": (bad(2, 5, "1000"), r"line 2, column 5: pixel '1000' is outside 0-255"),
        "negative": (bad(2, 3, "-1"), r"line 2, column 3: pixel '-1' is not"),
        "plus sign": (bad(2, 3, "+1"), r"line 2, column 3: pixel '\+1' is not"),
        "blank": (bad(3, 4, " 7"), r"line 3, column 4: pixel ' 7' is not"),
        "tab": (bad(3, 4, "7\t"), r"line 3, column 4: pixel '7\\t' is not"),
        "hexadecimal": (bad(3, 4, "0x1"), r"line 3, column 4: pixel '0x1' is not"),
        "decimal": (bad(1, 6, "1.0"), r"line 1, column 6: pixel '1\.0' is not"),
        "exponent": (bad(1, 6, "1e2"), r"line 1, column 6: pixel '1e2' is not"),
        "quoted": (bad(1, 6, '"5"'), r"line 1, column 6: pixel '\"5\"' is not"),
        "unicode digit": (bad(1, 6, "\u0663"), r"line 1, column 6: pixel '.' is not"),
        "blank line": ([good[0], "", good[1]], r"line 2: expected 785 .*found 1"),
        "trailing blank line": ([*good, ""], r"line 4: expected 785 .*found 1"),
        "header not first": ([good[0], KAGGLE_HEADER], r"line 2, column 1: label 'label' is not"),
        "header with a number": (
            [KAGGLE_HEADER.replace("pixel5,", "5,"), good[0]],
            r"line 1, column 1: label 'label' is not",
        ),
        "header only": ([KAGGLE_HEADER], r"line 2: the header is not followed by any digit row"),
    }


BAD_LINES = _bad_lines()


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("case", list(BAD_LINES))
def test_malformed_rows(tmp_path, case, compress):
    lines, message = BAD_LINES[case]
    path = write(tmp_path / "bad_file.csv", "\n".join(lines) + "\n", compress=compress)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ", " + message):
        load_mnist_csv(path)
    with pytest.raises(ValueError, match=message), open(path, "rb") as file:
        load_mnist_csv(file)
    assert not (tmp_path / "data_home" / "csv_cache").exists()  # errors are never cached


@pytest.mark.parametrize(
    "content",
    [b"", b"\xef\xbb\xbf", gzip.compress(b"", mtime=0)],
    ids=["empty", "bom", "empty-gzip"],
)
def test_empty_file(tmp_path, content):
    path = write(tmp_path / "empty.csv", content)
    with pytest.raises(ValueError, match=re.escape(str(path)) + r", line 1: the file is empty"):
        load_mnist_csv(path)


def test_file_object_errors_name_the_file(tmp_path):
    path = write(tmp_path / "named.csv", "1,2\n")
    with open(path, "rb") as file, pytest.raises(ValueError, match=r"named\.csv, line 1:"):
        load_mnist_csv(file)
    with pytest.raises(ValueError, match=r"<BytesIO>, line 1:"):
        load_mnist_csv(io.BytesIO(b"1,2\n"))


def test_error_on_last_line_of_a_longer_file(tmp_path):
    X, y = make_digits(n_rows=300)
    lines = set_field(csv_lines(X, y), 300, 700, "x")
    path = write(tmp_path / "long.csv", "\n".join(lines))
    with pytest.raises(ValueError, match=r"long\.csv, line 300, column 700: pixel 'x'"):
        load_mnist_csv(path)


def test_crlf_line_numbers(tmp_path):
    X, y = make_digits(n_rows=5)
    lines = set_field(csv_lines(X, y), 4, 2, "300")
    path = write(tmp_path / "crlf.csv", GRID_HEADER + "\r\n" + "\r\n".join(lines))
    with pytest.raises(ValueError, match=r"crlf\.csv, line 5, column 2: pixel '300'"):
        load_mnist_csv(path)


def with_field(X, y, row, column, value):
    """Copy of (X, y) with the field at 0-based (row, column) of the CSV set to ``value``."""
    X, y = X.copy(), y.copy()
    if column == 0:
        y[row] = value
    else:
        X[row, column - 1] = value
    return X, y


def test_long_fields_are_shortened_in_messages(tmp_path):
    X, y = make_digits(n_rows=1)
    lines = set_field(csv_lines(X, y), 1, 3, "0" * 5000 + "1")
    assert_loaded(load_mnist_csv(write(tmp_path / "z.csv", lines[0])), *with_field(X, y, 0, 2, 1))
    lines = set_field(csv_lines(X, y), 1, 3, "9" * 5000)
    with pytest.raises(ValueError, match=r"column 3: pixel '9{17}\.\.\.' is outside 0-255"):
        load_mnist_csv(write(tmp_path / "n.csv", lines[0]))


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_gzip(tmp_path, keep):
    X, y = make_digits(n_rows=200, seed=1)
    compressed = gzip.compress(csv_text(X, y).encode())
    truncated = compressed[: int(len(compressed) * keep)]
    readable = zlib.decompressobj(wbits=31).decompress(truncated)
    line = readable.count(b"\n") + 1
    path = write(tmp_path / "cut.csv.gz", truncated)
    message = re.escape(str(path)) + rf", line {line}: the gzip data is truncated or corrupt"
    with pytest.raises(ValueError, match=message):
        load_mnist_csv(path)


def test_corrupt_gzip(tmp_path):
    X, y = make_digits(n_rows=50)
    compressed = bytearray(gzip.compress(csv_text(X, y).encode()))
    compressed[-6] ^= 0xFF  # inside the CRC-32 of the trailer
    path = write(tmp_path / "crc.csv.gz", bytes(compressed))
    with pytest.raises(ValueError, match=r"crc\.csv\.gz, line \d+: the gzip data is truncated or"):
        load_mnist_csv(path)


def test_gzip_members_are_concatenated(tmp_path):
    X, y = make_digits(n_rows=6)
    lines = csv_lines(X, y)
    first = gzip.compress(("\n".join(lines[:2]) + "\n").encode())
    second = gzip.compress(("\n".join(lines[2:]) + "\n").encode())
    assert_loaded(load_mnist_csv(write(tmp_path / "m.csv.gz", first + second)), X, y)


# --------------------------------------------------------------------------------------------
# Fuzzing: every input loads exactly what was written, or raises a located ValueError
# --------------------------------------------------------------------------------------------

NARROW = 3
VALID_TOKENS = ["0", "1", "9", "007", "10", "99", "255", "0255"]
INVALID_TOKENS = ["", "256", "-1", " 1", "1 ", "\t2", "a", "1.0", "0x1", "+1", "\u0663", '"3"']
NARROW_HEADERS = [["label", "p0", "p1", "p2"], ["label", "1x1", "1x2", "2x1"]]


def expected_outcome(rows, n_pixels):
    """What the loader must do with these rows, per the format: (X, y) or (line, column)."""

    def is_number(field):
        return field.isascii() and field.isdigit()

    header = (
        bool(rows)
        and len(rows[0]) == n_pixels + 1
        and all(field and not is_number(field) for field in rows[0])
    )
    first = 2 if header else 1
    for line, row in enumerate(rows[first - 1 :], start=first):
        if len(row) != n_pixels + 1:
            return line, None
        for column, field in enumerate(row, start=1):
            if not is_number(field) or int(field) > (9 if column == 1 else 255):
                return line, column
    if len(rows) < first:
        return first, None
    data = np.array([[int(field) for field in row] for row in rows[first - 1 :]], dtype=np.int64)
    return data[:, 1:].astype(np.uint8), data[:, 0]


def check_outcome(source, name, rows, n_pixels):
    outcome = expected_outcome(rows, n_pixels)
    if isinstance(outcome[0], np.ndarray):
        X, y = datasets._load_arrays(source, cache=False, data_home=None, n_pixels=n_pixels)
        np.testing.assert_array_equal(X, outcome[0])
        np.testing.assert_array_equal(y, outcome[1])
        assert X.dtype == np.uint8 and y.dtype == np.int64
    else:
        line, column = outcome
        where = rf"line {line}:" if column is None else rf"line {line}, column {column}:"
        with pytest.raises(ValueError, match=re.escape(name) + ", " + where):
            datasets._load_arrays(source, cache=False, data_home=None, n_pixels=n_pixels)


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.none() | st.sampled_from(NARROW_HEADERS),
    rows=st.lists(
        st.lists(st.sampled_from(VALID_TOKENS + INVALID_TOKENS), min_size=1, max_size=5)
        | st.lists(st.sampled_from(VALID_TOKENS), min_size=NARROW + 1, max_size=NARROW + 1),
        max_size=6,
    )
    | st.lists(  # tables of valid-looking rows, most of which load
        st.lists(st.sampled_from(VALID_TOKENS), min_size=NARROW + 1, max_size=NARROW + 1),
        min_size=1,
        max_size=6,
    ),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    final_newline=st.booleans(),
    bom=st.booleans(),
    compress=st.booleans(),
    as_file_object=st.booleans(),
)
def test_fuzz_narrow_tables(
    tmp_path, header, rows, newline, final_newline, bom, compress, as_file_object
):
    rows = ([header] if header else []) + rows
    # an empty last row is only a row when a line break follows it
    final_newline = final_newline or (bool(rows) and rows[-1] == [""])
    text = newline.join(",".join(row) for row in rows) + (newline if final_newline and rows else "")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    data = gzip.compress(data) if compress else data
    if as_file_object:
        check_outcome(io.BytesIO(data), "<BytesIO>", rows, NARROW)
    else:
        path = write(tmp_path / "fuzz.csv", data)
        check_outcome(path, str(path), rows, NARROW)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    row=st.integers(0, 2),
    column=st.integers(0, N_PIXELS),
    token=st.sampled_from(VALID_TOKENS + INVALID_TOKENS),
)
def test_fuzz_full_width_rows(tmp_path, row, column, token):
    X, y = make_digits(n_rows=3)
    lines = set_field(csv_lines(X, y), row + 1, column + 1, token)
    path = write(tmp_path / "wide.csv", "\n".join(lines) + "\n")
    check_outcome(path, str(path), [line.split(",") for line in lines], N_PIXELS)


# --------------------------------------------------------------------------------------------
# Cache
# --------------------------------------------------------------------------------------------


def cache_entries(data_home):
    folder = data_home / "csv_cache"
    return sorted(folder.glob("*.npycache")) if folder.exists() else []


def forbid_parsing(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(datasets, "_parse_csv", fail)


def test_second_load_comes_from_the_cache(tmp_path, data_home, monkeypatch):
    X, y = make_digits()
    path = write(tmp_path / "d.csv.gz", csv_text(X, y), compress=True)
    assert_loaded(load_mnist_csv(path), X, y)
    assert len(cache_entries(data_home)) == 1
    forbid_parsing(monkeypatch)
    first = load_mnist_csv(path)
    assert_loaded(first, X, y)
    first[0][:] = 0  # the caller owns the arrays: changing them changes no later load
    assert_loaded(load_mnist_csv(path), X, y)
    frame, _ = load_mnist_csv(path, as_frame=True)
    np.testing.assert_array_equal(frame.to_numpy(), X)


def test_cache_follows_data_home(tmp_path, data_home):
    X, y = make_digits()
    path = write(tmp_path / "d.csv", csv_text(X, y))
    other = tmp_path / "elsewhere"
    load_mnist_csv(path, data_home=other)
    assert len(cache_entries(other)) == 1
    assert cache_entries(data_home) == []
    load_mnist_csv(path)
    assert len(cache_entries(data_home)) == 1


def test_cache_false_neither_reads_nor_writes(tmp_path, data_home, monkeypatch):
    X, y = make_digits()
    path = write(tmp_path / "d.csv", csv_text(X, y))
    with monkeypatch.context() as patch:
        for name in ("_read_cache", "_write_cache"):
            patch.setattr(datasets, name, lambda *args: pytest.fail("cache=False used the cache"))
        assert_loaded(load_mnist_csv(path, cache=False), X, y)
    assert not data_home.exists()
    load_mnist_csv(path)
    X2, y2 = make_digits(seed=1)
    stat = path.stat()
    write(path, csv_text(X2, y2))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert_loaded(load_mnist_csv(path, cache=False), X2, y2)


def test_changed_file_is_parsed_again(tmp_path, data_home):
    X, y = make_digits()
    path = write(tmp_path / "d.csv", csv_text(X, y))
    load_mnist_csv(path)
    X2, y2 = make_digits(n_rows=6, seed=1)
    write(path, csv_text(X2, y2))
    assert_loaded(load_mnist_csv(path), X2, y2)
    assert len(cache_entries(data_home)) == 1  # one entry per file, replaced


def test_cache_of_a_file_whose_name_is_not_utf8(tmp_path, data_home):
    X, y = make_digits()
    try:
        path = write(tmp_path / os.fsdecode(b"caf\xe9.csv"), csv_text(X, y))
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    assert_loaded(load_mnist_csv(path), X, y)
    assert len(cache_entries(data_home)) == 1
    assert_loaded(load_mnist_csv(path), X, y)


def test_same_size_and_mtime_is_still_detected(tmp_path, monkeypatch):
    # Imitate a file system whose timestamps are too coarse to tell the versions apart:
    # only the fingerprint of the content can.
    stat_key = datasets._cache_key
    monkeypatch.setattr(
        datasets,
        "_cache_key",
        lambda path: {k: v for k, v in stat_key(path).items() if not k.endswith("time_ns")},
    )
    X, y = make_digits()
    X[2, 100] = 3
    path = write(tmp_path / "d.csv", csv_text(X, y))
    load_mnist_csv(path)
    stat = path.stat()
    X2 = X.copy()
    X2[2, 100] = 4  # one digit for another: same size
    write(path, csv_text(X2, y))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert_loaded(load_mnist_csv(path), X2, y)


def test_replaced_file_is_parsed_again(tmp_path):
    X, y = make_digits()
    path = write(tmp_path / "d.csv", csv_text(X, y))
    load_mnist_csv(path)
    X2, y2 = make_digits(seed=1)
    os.replace(write(tmp_path / "new.csv", csv_text(X2, y2)), path)
    assert_loaded(load_mnist_csv(path), X2, y2)


def test_never_serves_another_files_data(tmp_path, data_home):
    (XA, yA), (XB, yB) = make_digits(seed=1), make_digits(seed=2)
    a = write(tmp_path / "a.csv", csv_text(XA, yA))
    b = write(tmp_path / "b.csv", csv_text(XB, yB))
    load_mnist_csv(a)
    entry_a = cache_entries(data_home)[0]
    load_mnist_csv(b)
    (entry_b,) = set(cache_entries(data_home)) - {entry_a}
    entry_b.write_bytes(entry_a.read_bytes())  # b's entry now holds a's data and key
    assert_loaded(load_mnist_csv(b), XB, yB)
    assert_loaded(load_mnist_csv(a), XA, yA)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_damaged_cache_entry_is_rebuilt(tmp_path, data_home, damage):
    X, y = make_digits()
    path = write(tmp_path / "d.csv", csv_text(X, y))
    load_mnist_csv(path)
    (entry,) = cache_entries(data_home)
    content = entry.read_bytes()
    entry.write_bytes(
        {"truncate": content[: len(content) - 100], "garbage": os.urandom(500), "empty": b""}[
            damage
        ]
    )
    assert_loaded(load_mnist_csv(path), X, y)
    assert entry.read_bytes() == content


def test_unwritable_cache_warns_and_still_loads(tmp_path):
    X, y = make_digits()
    path = write(tmp_path / "d.csv", csv_text(X, y))
    not_a_folder = write(tmp_path / "file_not_folder", "")
    with pytest.warns(UserWarning, match="Could not cache"):
        assert_loaded(load_mnist_csv(path, data_home=not_a_folder), X, y)


def test_fixed_file_loads_after_an_error(tmp_path):
    X, y = make_digits()
    lines = set_field(csv_lines(X, y), 2, 2, "-3")
    path = write(tmp_path / "d.csv", "\n".join(lines))
    with pytest.raises(ValueError, match="line 2, column 2"):
        load_mnist_csv(path)
    write(path, csv_text(X, y))
    assert_loaded(load_mnist_csv(path), X, y)


# --------------------------------------------------------------------------------------------
# Data home
# --------------------------------------------------------------------------------------------


def test_get_data_home(tmp_path, data_home, monkeypatch):
    assert get_data_home() == str(data_home) and data_home.is_dir()
    assert get_data_home(tmp_path / "x") == str(tmp_path / "x")
    monkeypatch.delenv("BPMNIST_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == str(tmp_path / "home" / "bpmnist_data")
    monkeypatch.setenv("BPMNIST_DATA", "")
    assert get_data_home() == str(tmp_path / "home" / "bpmnist_data")
    assert get_data_home("~/other") == str(tmp_path / "home" / "other")


# --------------------------------------------------------------------------------------------
# Download
# --------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        server.hits[self.path] += 1
        plans = server.plans.get(self.path)
        if not plans:
            self.send_error(404)
            return
        status, body, length = plans.pop(0) if len(plans) > 1 else plans[0]
        self.send_response(status)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A local HTTP server; ``server.plans[path]`` lists (status, body, declared length)
    answers, the last one repeating; ``server.hits`` counts the requests."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.plans, httpd.hits = {}, Counter()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/files/"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def remote(monkeypatch):
    """Replace the classic files by a small one, and return its (X, y, body)."""
    X, y = make_digits(n_rows=5, seed=3)
    body = csv_text(X, y).encode()
    small = datasets._RemoteFile("mnist_train.csv", len(body), hashlib.sha256(body).hexdigest())
    monkeypatch.setattr(datasets, "_REMOTE_FILES", {"train": small})
    return X, y, body


ROUTE = "/files/mnist_train.csv"


def fetch(server, **kwargs):
    kwargs = {"base_url": server.url, "n_retries": 2, "delay": 0, "verbose": False, **kwargs}
    return fetch_mnist("train", **kwargs)


def leftovers(data_home):
    return sorted(p.name for p in data_home.iterdir() if p.name.endswith(".part"))


def test_download_success(server, remote, data_home):
    X, y, body = remote
    server.plans[ROUTE] = [(200, body, len(body))]
    bunch = fetch(server)
    assert isinstance(bunch, Bunch)
    np.testing.assert_array_equal(bunch.data, X)
    np.testing.assert_array_equal(bunch.target, y)
    assert bunch.filename == str(data_home / "mnist_train.csv")
    assert bunch.feature_names[0] == "pixel0" and list(bunch.target_names) == list(range(10))
    assert "LeCun" in bunch.DESCR and "Attribution-Share Alike 3.0" in bunch.DESCR
    assert (data_home / "mnist_train.csv").read_bytes() == body
    assert leftovers(data_home) == []
    assert server.hits[ROUTE] == 1


def test_return_X_y_and_as_frame(server, remote):
    X, y, body = remote
    server.plans[ROUTE] = [(200, body, len(body))]
    assert_loaded(fetch(server, return_X_y=True), X, y)
    bunch = fetch(server, as_frame=True)
    assert bunch.frame.shape == (5, N_PIXELS + 1)
    assert list(bunch.frame.columns) == [*bunch.feature_names, "label"]
    assert isinstance(bunch.data, pd.DataFrame) and isinstance(bunch.target, pd.Series)
    _, target = fetch(server, as_frame=True, return_X_y=True)
    np.testing.assert_array_equal(target.to_numpy(), y)


def test_present_file_is_neither_downloaded_nor_hashed_again(server, remote, monkeypatch):
    X, y, body = remote
    server.plans[ROUTE] = [(200, body, len(body))]
    fetch(server)
    monkeypatch.setattr(datasets, "_sha256_file", None)  # any hashing would fail
    assert_loaded(fetch(server, return_X_y=True), X, y)
    assert_loaded(fetch(server, return_X_y=True, download_if_missing=False), X, y)
    assert server.hits[ROUTE] == 1


def test_file_put_by_hand_is_verified_once(server, remote, data_home, monkeypatch):
    X, y, body = remote
    data_home.mkdir()
    (data_home / "mnist_train.csv").write_bytes(body)
    hashed = []
    sha256_file = datasets._sha256_file
    monkeypatch.setattr(datasets, "_sha256_file", lambda p: hashed.append(p) or sha256_file(p))
    for _ in range(3):
        assert_loaded(fetch(server, return_X_y=True, download_if_missing=False), X, y)
    assert len(hashed) == 1
    assert server.hits[ROUTE] == 0


def test_wrong_file_present(server, remote, data_home):
    X, y, body = remote
    data_home.mkdir()
    wrong = body.replace(b"\n", b"\r\n")
    (data_home / "mnist_train.csv").write_bytes(wrong)
    with pytest.raises(OSError, match=r"is not the classic mnist_train\.csv"):
        fetch(server, download_if_missing=False)
    assert (data_home / "mnist_train.csv").read_bytes() == wrong
    server.plans[ROUTE] = [(200, body, len(body))]
    with pytest.warns(UserWarning, match="downloading it again"):
        assert_loaded(fetch(server, return_X_y=True), X, y)
    assert (data_home / "mnist_train.csv").read_bytes() == body


def test_corrupted_body_leaves_no_file(server, remote, data_home):
    body = remote[2]
    corrupted = bytearray(body)
    corrupted[100] ^= 1
    server.plans[ROUTE] = [(200, bytes(corrupted), len(body))]
    with pytest.raises(OSError, match=r"sha256 [0-9a-f]{64} instead of") as info:
        fetch(server)
    assert str(data_home / "mnist_train.csv") in str(info.value)
    assert not (data_home / "mnist_train.csv").exists()
    assert leftovers(data_home) == []
    assert server.hits[ROUTE] == 1  # a checksum mismatch is not worth retrying


def test_too_long_body_is_refused(server, remote, data_home):
    body = remote[2]
    server.plans[ROUTE] = [(200, body + body, 2 * len(body))]
    with pytest.raises(OSError, match="more than the expected"):
        fetch(server)
    assert not (data_home / "mnist_train.csv").exists()
    assert leftovers(data_home) == []


def test_truncated_body_is_retried_then_fails(server, remote, data_home):
    body = remote[2]
    server.plans[ROUTE] = [(200, body[: len(body) // 2], len(body))]
    with pytest.raises(OSError, match=r"attempt 3 of 3"):
        fetch(server)
    assert server.hits[ROUTE] == 3
    assert not (data_home / "mnist_train.csv").exists()
    assert leftovers(data_home) == []


@pytest.mark.parametrize(
    "failure",
    [(503, b"busy", 4), (200, b"3,0,", 10_000), (200, b"3,0,", 4)],
    ids=["server error", "connection closed early", "short body"],
)
def test_failure_then_success(server, remote, data_home, monkeypatch, failure):
    X, y, body = remote
    server.plans[ROUTE] = [failure, (200, body, len(body))]
    sleeps = []
    monkeypatch.setattr(datasets.time, "sleep", sleeps.append)
    assert_loaded(fetch(server, return_X_y=True, delay=0.5), X, y)
    assert server.hits[ROUTE] == 2
    assert sleeps == [0.5]
    assert leftovers(data_home) == []


def test_backoff_doubles(server, remote, monkeypatch):
    server.plans[ROUTE] = [(500, b"", 0)]
    sleeps = []
    monkeypatch.setattr(datasets.time, "sleep", sleeps.append)
    with pytest.raises(OSError, match="attempt 4 of 4"):
        fetch(server, n_retries=3, delay=0.25)
    assert sleeps == [0.25, 0.5, 1.0]


def test_malformed_url_is_not_retried(remote, data_home, monkeypatch):
    monkeypatch.setattr(datasets.time, "sleep", lambda seconds: pytest.fail("retried"))
    with pytest.raises(OSError, match=r"\(attempt 1 of 4\): <urlopen error unknown url type"):
        fetch_mnist(base_url="htp://127.0.0.1/mirror", n_retries=3, verbose=False)


def test_not_found_is_not_retried(server, remote, data_home):
    with pytest.raises(OSError, match="404") as info:
        fetch(server)
    assert server.hits[ROUTE] == 1
    assert f"{server.url}mnist_train.csv" in str(info.value)


def test_no_server(remote, data_home):
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mirror"
    with pytest.raises(OSError, match=r"Could not download mnist_train\.csv") as info:
        fetch_mnist(base_url=url, n_retries=1, delay=0, verbose=False)
    message = str(info.value)
    assert f"{url}/mnist_train.csv" in message
    assert str(data_home / "mnist_train.csv") in message
    assert not (data_home / "mnist_train.csv").exists()


def test_download_if_missing_false(remote, data_home):
    with pytest.raises(FileNotFoundError) as info:
        fetch_mnist(download_if_missing=False)
    message = str(info.value)
    assert "download_if_missing=False" in message
    assert "https://pjreddie.com/media/files/mnist_train.csv" in message
    assert str(data_home / "mnist_train.csv") in message
    assert "sha256 " + datasets._REMOTE_FILES["train"].sha256 in message


def test_real_file_table():
    train, test = datasets._REMOTE_FILES["train"], datasets._REMOTE_FILES["test"]
    assert (train.filename, train.size) == ("mnist_train.csv", 109_575_994)
    assert (test.filename, test.size) == ("mnist_test.csv", 18_289_443)


def test_unknown_subset():
    with pytest.raises(ValueError, match="subset must be one of"):
        fetch_mnist("validation")


# --------------------------------------------------------------------------------------------
# Packaged sample
# --------------------------------------------------------------------------------------------


def test_load_sample():
    sample = load_sample()
    assert isinstance(sample, Bunch)
    assert sample.data.shape == (5000, N_PIXELS) and sample.data.dtype == np.uint8
    assert sample.target.shape == (5000,) and sample.target.dtype == np.int64
    assert np.bincount(sample.target).tolist() == [500] * 10
    assert sample.data.max() == 255 and sample.data.min() == 0
    assert sample.frame is None
    assert "LeCun" in sample.DESCR and "Attribution-Share Alike 3.0" in sample.DESCR
    X, y = load_sample(return_X_y=True)
    np.testing.assert_array_equal(X, sample.data)
    np.testing.assert_array_equal(y, sample.target)


def test_load_sample_as_frame():
    sample = load_sample(as_frame=True)
    assert isinstance(sample.data, pd.DataFrame) and sample.data.shape == (5000, N_PIXELS)
    assert sample.frame.shape == (5000, N_PIXELS + 1)
    assert sample.target.value_counts().tolist() == [500] * 10


def test_sample_file_records_its_source_rows():
    path = Path(datasets.__file__).parent / "data" / "mnist_sample.npz"
    assert path.stat().st_size <= 2_000_000
    with np.load(path) as npz:
        index = npz["index"]
        assert sorted(npz.files) == ["data", "index", "target"]
    assert index.shape == (5000,) and np.all(np.diff(index) > 0)
    assert 0 <= index.min() and index.max() < 60_000
