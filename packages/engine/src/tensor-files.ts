/** A named float32 array with its shape: the unit of checkpoint weight files. */
export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** The JSON index of a tensor file: names, shapes and byte offsets into the binary part. */
export interface TensorIndexEntry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

/** Packs arrays into one little-endian float32 buffer and its index. */
export function packArrays(arrays: NamedArray[]): { index: TensorIndexEntry[]; bytes: Uint8Array } {
  const total = arrays.reduce((n, a) => n + a.values.length, 0);
  const all = new Float32Array(total);
  const index: TensorIndexEntry[] = [];
  let offset = 0;
  for (const a of arrays) {
    all.set(a.values, offset);
    index.push({ name: a.name, shape: a.shape, offset, length: a.values.length });
    offset += a.values.length;
  }
  return { index, bytes: new Uint8Array(all.buffer, all.byteOffset, all.byteLength) };
}

/**
 * Unpacks `packArrays` output. Returns undefined when the index and the buffer disagree
 * (the caller reports which file is damaged).
 */
export function unpackArrays(index: TensorIndexEntry[], bytes: Uint8Array): NamedArray[] | undefined {
  if (bytes.byteLength % 4 !== 0) return undefined;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  const all = new Float32Array(copy.buffer);
  const out: NamedArray[] = [];
  for (const e of index) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (size !== e.length || e.offset < 0 || e.offset + e.length > all.length) return undefined;
    out.push({ name: e.name, shape: e.shape, values: all.subarray(e.offset, e.offset + e.length) });
  }
  return out;
}
