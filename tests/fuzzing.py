"""Seeded mutations of real .docx files, for tests/test_fuzz.py and benchmarks/fuzz.py.

``cases(sources, n, seed)`` yields (name, bytes) pairs: bit flips, truncations, XML mutations of
one part, swapped, duplicated, dropped and renamed zip entries, and oversized parts. The same
seed always gives the same files, so a failure can be replayed from its name.
"""

from __future__ import annotations

import io
import random
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

Mutation = Callable[[random.Random, bytes], bytes]


def _entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info.filename)) for info in archive.infolist()]


def _pack(entries: Sequence[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point of some mutations
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, payload in entries:
                archive.writestr(name, payload)
    return out.getvalue()


def _xml_names(entries: Sequence[tuple[zipfile.ZipInfo, bytes]]) -> list[str]:
    return [i.filename for i, _ in entries if i.filename.endswith((".xml", ".rels"))]


def bit_flips(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        position = rng.randrange(len(out))
        out[position] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


_XML_EDITS = (
    lambda rng, x: x[: (i := rng.randrange(len(x)))] + x[i + rng.randint(1, 400) :],  # cut
    lambda rng, x: x[: (i := rng.randrange(len(x)))] + x[i : i + 2000] + x[i:],  # duplicate
    lambda rng, x: x[: (i := rng.randrange(len(x)))] + b"<w:p><w:r><w:t>" + x[i:],  # unclosed
    lambda rng, x: x[: (i := rng.randrange(len(x)))] + b"&undefined;" + x[i:],  # entity
    lambda rng, x: x[: (i := rng.randrange(len(x)))] + b"\xff\xfe\xc3" + x[i:],  # bad UTF-8
    lambda rng, x: x.replace(b"<w:p>", b"<w:p>" + b"<w:r>" * 50, rng.randint(1, 5)),  # depth
    lambda rng, x: x.replace(b'w:val="', b'w:val="-999999', rng.randint(1, 20)),  # numbers
    lambda rng, x: x.replace(b"r:id=", b"r:id=x", rng.randint(1, 5)),  # dangling references
    lambda rng, x: b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + x,
    lambda rng, x: x.replace(b"</w:body>", b"<w:tbl><w:tr><w:tc></w:tc></w:tr></w:tbl></w:body>"),
)


def xml_mutation(rng: random.Random, data: bytes) -> bytes:
    entries = _entries(data)
    target = rng.choice(_xml_names(entries))
    edit = rng.choice(_XML_EDITS)
    return _pack(
        [(i.filename, edit(rng, p) if i.filename == target and p else p) for i, p in entries]
    )


def swap_entries(rng: random.Random, data: bytes) -> bytes:
    entries = _entries(data)
    names = _xml_names(entries)
    a, b = rng.sample(names, 2) if len(names) > 1 else (names[0], names[0])
    payload = {i.filename: p for i, p in entries}
    swapped = {a: payload[b], b: payload[a]}
    return _pack([(i.filename, swapped.get(i.filename, p)) for i, p in entries])


def duplicate_entry(rng: random.Random, data: bytes) -> bytes:
    entries = [(i.filename, p) for i, p in _entries(data)]
    name, payload = rng.choice(entries)
    other = rng.choice(entries)[1]
    position = rng.randrange(len(entries) + 1)
    return _pack(
        [*entries[:position], (name, other if rng.random() < 0.5 else payload), *entries[position:]]
    )


def drop_entry(rng: random.Random, data: bytes) -> bytes:
    entries = [(i.filename, p) for i, p in _entries(data)]
    entries.pop(rng.randrange(len(entries)))
    return _pack(entries)


def rename_entry(rng: random.Random, data: bytes) -> bytes:
    entries = [(i.filename, p) for i, p in _entries(data)]
    index = rng.randrange(len(entries))
    name, payload = entries[index]
    entries[index] = (
        rng.choice(["word/other.xml", name.upper(), "../" + name, "/" + name]),
        payload,
    )
    return _pack(entries)


def oversized_part(rng: random.Random, data: bytes) -> bytes:
    entries = [(i.filename, p) for i, p in _entries(data)]
    index = rng.randrange(len(entries))
    name, payload = entries[index]
    filler = (payload[:200] or b"x") * (rng.randint(5, 80) * 2**20 // max(1, len(payload[:200])))
    entries[index] = (name, payload + filler)
    return _pack(entries)


MUTATIONS: dict[str, Mutation] = {
    "bitflip": bit_flips,
    "truncate": truncate,
    "xml": xml_mutation,
    "swap": swap_entries,
    "duplicate": duplicate_entry,
    "drop": drop_entry,
    "rename": rename_entry,
    "oversized": oversized_part,
}
# Weights: the XML mutations find the most distinct parser paths; oversized parts are slow.
WEIGHTS = {"bitflip": 3, "truncate": 2, "xml": 6, "swap": 2, "duplicate": 2, "drop": 2, "rename": 2}
WEIGHTS["oversized"] = 1


def cases(sources: Sequence[Path], n: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """Yield ``n`` seeded mutated files as (name, bytes); the name says how it was made."""
    rng = random.Random(seed)
    originals = [(p.stem, p.read_bytes()) for p in sources]
    kinds = list(WEIGHTS)
    for i in range(n):
        stem, data = originals[i % len(originals)]
        kind = rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        case_rng = random.Random(rng.getrandbits(64))
        yield f"fuzz{i:04d}_{kind}_{stem[:40]}.docx", MUTATIONS[kind](case_rng, data)
