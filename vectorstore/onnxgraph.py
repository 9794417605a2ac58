"""A small writer of ONNX models in their protobuf wire format, enough to build an encoder graph.

The `onnx` package is not a dependency: onnxruntime (installed with Chroma) only needs the
serialized bytes, and the handful of messages used here (model, graph, node, attribute, tensor,
value info) are written field by field. Field numbers follow the published ``onnx.proto``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np

# TensorProto.DataType values.
_DTYPES = {
    np.dtype(np.float32): 1,
    np.dtype(np.uint8): 2,
    np.dtype(np.int8): 3,
    np.dtype(np.int32): 6,
    np.dtype(np.int64): 7,
    np.dtype(np.float16): 10,
}
FLOAT = 1
IR_VERSION = 9


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _int(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(int(value))


def _bytes(field: int, value: bytes | str) -> bytes:
    data = value.encode("utf-8") if isinstance(value, str) else value
    return _varint((field << 3) | 2) + _varint(len(data)) + data


def _float(field: int, value: float) -> bytes:
    return _varint((field << 3) | 5) + struct.pack("<f", value)


def tensor(name: str, array: np.ndarray) -> bytes:
    """Return a TensorProto holding ``array`` as raw little-endian data."""
    array = np.ascontiguousarray(array)
    dims = b"".join(_int(1, d) for d in array.shape)
    return dims + _int(2, _DTYPES[array.dtype]) + _bytes(8, name) + _bytes(9, array.tobytes())


def _attribute(name: str, value: float | int | Sequence[int]) -> bytes:
    if isinstance(value, float):
        return _bytes(1, name) + _float(2, value) + _int(20, 1)
    if isinstance(value, int):
        return _bytes(1, name) + _int(3, value) + _int(20, 2)
    return _bytes(1, name) + b"".join(_int(8, v) for v in value) + _int(20, 7)


def value_info(name: str, dims: Sequence[int | str], elem_type: int = FLOAT) -> bytes:
    """Return a ValueInfoProto of a tensor; a str dimension is symbolic (e.g. "batch")."""
    shape = b"".join(_bytes(1, _bytes(2, d) if isinstance(d, str) else _int(1, d)) for d in dims)
    tensor_type = _int(1, elem_type) + _bytes(2, shape)
    return _bytes(1, name) + _bytes(2, _bytes(1, tensor_type))


class GraphBuilder:
    """Collects nodes and initializers; ``op`` returns the name of the node's output."""

    def __init__(self) -> None:
        self.nodes: list[bytes] = []
        self.initializers: list[bytes] = []
        self._count = 0

    def constant(self, name: str, array: np.ndarray) -> str:
        """Add an initializer and return its name."""
        self.initializers.append(tensor(name, array))
        return name

    def op(
        self, op_type: str, inputs: Sequence[str], *, domain: str = "", **attributes: object
    ) -> str:
        """Add a node with one output and return that output's name."""
        self._count += 1
        output = f"{op_type.lower()}_{self._count}"
        self.node(op_type, inputs, output, domain=domain, **attributes)
        return output

    def node(
        self, op_type: str, inputs: Sequence[str], output: str, *, domain: str = "", **attributes
    ) -> None:
        """Add a node writing to the named ``output``."""
        body = b"".join(_bytes(1, name) for name in inputs) + _bytes(2, output)
        body += _bytes(3, f"n{len(self.nodes)}") + _bytes(4, op_type)
        body += b"".join(_bytes(5, _attribute(k, v)) for k, v in attributes.items())
        if domain:
            body += _bytes(7, domain)
        self.nodes.append(body)

    def model(
        self, inputs: Sequence[bytes], outputs: Sequence[bytes], opsets: Sequence[tuple[str, int]]
    ) -> bytes:
        """Return the serialized ModelProto."""
        graph = b"".join(_bytes(1, n) for n in self.nodes) + _bytes(2, "encoder")
        graph += b"".join(_bytes(5, t) for t in self.initializers)
        graph += b"".join(_bytes(11, v) for v in inputs) + b"".join(_bytes(12, v) for v in outputs)
        model = _int(1, IR_VERSION) + _bytes(2, "submissions-assistant")
        model += b"".join(_bytes(8, _bytes(1, domain) + _int(2, v)) for domain, v in opsets)
        return model + _bytes(7, graph)
