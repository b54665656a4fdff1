"""The staging COPY's test of whether a CSV's cells need trimming (``bulk.CleaningScan``): fed the
file in chunks, it says what the pattern over the whole file says."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dieuhanh.ingest.bulk import _NEEDS_CLEANING, CleaningScan


def scanned(chunks: list[bytes]) -> bool:
    scan = CleaningScan()
    for chunk in chunks:
        scan.feed(chunk)
    return scan.clean


def split(data: bytes, sizes: list[int]) -> list[bytes]:
    chunks, at = [], 0
    for size in sizes:
        chunks.append(data[at : at + size])
        at += size
    chunks.append(data[at:])
    return [chunk for chunk in chunks if chunk]


@settings(max_examples=500, deadline=None)
@given(
    data=st.lists(st.sampled_from([b"a", b"1", b",", b";", b".", b" ", b"\t", b"\r", b"\n", b"\x0b", b"\xc3\xa9"])).map(
        b"".join
    ),
    sizes=st.lists(st.integers(min_value=1, max_value=7), max_size=12),
)
def test_in_any_chunks_the_scan_says_what_the_pattern_says_of_the_whole_file(data: bytes, sizes: list[int]) -> None:
    assert scanned(split(data, sizes)) == (_NEEDS_CLEANING.search(data) is None)


def test_a_clean_file_cut_just_after_a_line_s_end_is_clean() -> None:
    # The previous test carried one byte across a chunk's edge and read a carried newline as an
    # empty line at the file's start: a clean file was trimmed cell by cell (a 1 MiB chunk ends a
    # line about once in 25 times).
    assert scanned([b"indicator,org_unit,period,value\n", b"REV,718,202301,1\n"])


def test_a_line_of_separators_across_a_chunk_s_edge_needs_cleaning() -> None:
    assert not scanned([b"indicator,org_unit\nREV,718\n,,", b",,\nREV,719\n"])


def test_a_space_at_a_chunk_s_end_before_a_separator_needs_cleaning() -> None:
    assert not scanned([b"indicator,org_unit\nREV ", b",718\n"])


def test_a_line_longer_than_the_scan_carries_is_called_not_clean() -> None:
    assert not scanned([b"indicator,org_unit\n", b"x" * (1 << 20), b"y" * 10, b"\n"])
