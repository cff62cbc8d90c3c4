"""Text reuse: near-duplicate and syndicated articles (wire copy, light rewrites).

MinHash signatures (datasketch) over word shingles, banded LSH keys to find candidate pairs,
a signature check of each candidate, and union-find into reuse clusters. Every step is a pure
function of its inputs so that the work can be split: signatures per document (in parallel),
band keys grouped (a shuffle), then a small check per group of colliding documents. The cost
grows with the number of documents times the number of bands, never with pairs of documents.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from .unionfind import UnionFind

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class ReuseConfig:
    """How text reuse is measured: shingle size, signature length, Jaccard threshold."""

    shingle_size: int = 5
    num_perm: int = 128
    threshold: float = 0.5
    seed: int = 1


DEFAULT = ReuseConfig()


def shingles(text: str, size: int = DEFAULT.shingle_size) -> set[bytes]:
    """The set of word ``size``-grams of the lowercased text (the whole text when shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def signatures(items: Iterable[tuple[str, str]], config: ReuseConfig = DEFAULT) -> dict[str, np.ndarray]:
    """MinHash signature (``num_perm`` uint32 values) of each ``(doc_id, text)``."""
    ids: list[str] = []
    sets: list[set[bytes]] = []
    for doc_id, text in items:
        ids.append(doc_id)
        sets.append(shingles(text, config.shingle_size))
    minhashes = MinHash.bulk(sets, num_perm=config.num_perm, seed=config.seed)
    return {doc_id: m.hashvalues.astype(np.uint32) for doc_id, m in zip(ids, minhashes, strict=True)}


def signature_bytes(signature: np.ndarray) -> bytes:
    return signature.astype(np.uint32).tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint32)


@functools.cache
def bands(config: ReuseConfig = DEFAULT) -> tuple[int, int]:
    """(bands, rows per band) minimising false positives and negatives at ``threshold``.

    datasketch's MinHashLSH picks them; we reuse its choice and build the keys ourselves so
    that they can live in a table (incremental runs) or a dataframe (partitioned runs).
    """
    lsh = MinHashLSH(threshold=config.threshold, num_perm=config.num_perm)
    return lsh.b, lsh.r


def band_keys(signature: np.ndarray, config: ReuseConfig = DEFAULT) -> list[bytes]:
    """One key per band: the band's index and its rows of the signature."""
    count, rows = bands(config)
    data = signature.astype(np.uint32)
    return [bytes((band,)) + data[band * rows : (band + 1) * rows].tobytes() for band in range(count)]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.count_nonzero(a == b)) / len(a)


def bucket_groups(keyed: Iterable[tuple[str, Iterable[bytes]]]) -> Iterator[list[str]]:
    """Documents grouped by shared band key: each group of two or more is a candidate set."""
    buckets: dict[bytes, list[str]] = defaultdict(list)
    for doc_id, keys in keyed:
        for key in keys:
            buckets[key].append(doc_id)
    return (members for members in buckets.values() if len(members) > 1)


def group_links(
    group: list[str], signature_of: Mapping[str, np.ndarray], threshold: float = DEFAULT.threshold
) -> list[tuple[str, str]]:
    """Checked links inside one candidate group: every member against the group's first.

    Comparing with one representative keeps a large bucket linear; members similar to each
    other but not to the first still meet in another band's bucket.
    """
    head = signature_of[group[0]]
    return [
        (group[0], other)
        for other in group[1:]
        if other != group[0] and similarity(head, signature_of[other]) >= threshold
    ]


def clusters_from_links(
    doc_ids: Iterable[str],
    links: Iterable[tuple[str, str]],
    prior: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Reuse cluster of every document: its component's smallest document id, prefixed ``r``.

    ``prior`` (doc_id -> cluster) holds earlier clusters, so new documents join them.
    """
    sets = UnionFind(doc_ids)
    if prior:
        first_of: dict[str, str] = {}
        for doc_id, cluster in prior.items():
            sets.union(first_of.setdefault(cluster, doc_id), doc_id)
    for a, b in links:
        sets.union(a, b)
    assignment: dict[str, str] = {}
    for members in sets.groups():
        label = "r" + min(members)
        for doc_id in members:
            assignment[doc_id] = label
    return assignment


def reuse_clusters(
    signature_of: Mapping[str, np.ndarray],
    config: ReuseConfig = DEFAULT,
    prior: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """doc_id -> reuse cluster for documents given by their signatures."""
    keyed = ((doc_id, band_keys(sig, config)) for doc_id, sig in signature_of.items())
    links = [
        link
        for group in bucket_groups(keyed)
        for link in group_links(group, signature_of, config.threshold)
    ]
    return clusters_from_links(signature_of, links, prior)


def reuse_clusters_of_texts(
    items: Iterable[tuple[str, str]], config: ReuseConfig = DEFAULT
) -> dict[str, str]:
    """doc_id -> reuse cluster for ``(doc_id, text)`` pairs (text only: no parse needed)."""
    return reuse_clusters(signatures(items, config), config)
