/**
 * Packs a plain object tree holding typed arrays into one buffer and back: the typed arrays as raw bytes, the
 * rest as JSON. Used to keep a trained model in a file (see model-file.ts) so that start-up loads it instead of
 * training again.
 *
 * Layout: 4 bytes (little endian) of header length, the header (JSON, with `{"$blob": i}` where array i
 * stood), then each array's bytes, every one starting on an 8-byte boundary.
 */
type Blob = Float64Array | Float32Array | Int32Array | Int8Array;
const KINDS = { f64: Float64Array, f32: Float32Array, i32: Int32Array, i8: Int8Array } as const;
type Kind = keyof typeof KINDS;

function kindOf(value: unknown): Kind | undefined {
  if (value instanceof Float64Array) return 'f64';
  if (value instanceof Float32Array) return 'f32';
  if (value instanceof Int32Array) return 'i32';
  if (value instanceof Int8Array) return 'i8';
  return undefined;
}

export function pack(tree: unknown): Buffer {
  const blobs: { kind: Kind; data: Blob }[] = [];
  const header = JSON.stringify(tree, (_key, value: unknown) => {
    const kind = kindOf(value);
    if (!kind) return value;
    blobs.push({ kind, data: value as Blob });
    return { $blob: blobs.length - 1 };
  });
  const table: { kind: Kind; offset: number; length: number }[] = [];
  let offset = 0;
  for (const { kind, data } of blobs) {
    table.push({ kind, offset, length: data.length });
    offset += align(data.byteLength);
  }
  const head = Buffer.from(JSON.stringify({ tree: JSON.parse(header) as unknown, blobs: table }), 'utf8');
  const start = align(4 + head.length);
  const out = Buffer.alloc(start + offset);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  blobs.forEach(({ data }, i) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, start + table[i]!.offset));
  return out;
}

export function unpack<T>(buffer: Buffer): T {
  const length = buffer.readUInt32LE(0);
  const { tree, blobs } = JSON.parse(buffer.subarray(4, 4 + length).toString('utf8')) as {
    tree: unknown;
    blobs: { kind: Kind; offset: number; length: number }[];
  };
  const start = align(4 + length);
  const arrays = blobs.map(({ kind, offset, length: n }) => {
    const Type = KINDS[kind];
    const at = buffer.byteOffset + start + offset;
    // A view into the buffer when it is aligned (a file read whole is), so that nothing is held twice; else a copy.
    if (at % Type.BYTES_PER_ELEMENT === 0) return new Type(buffer.buffer as ArrayBuffer, at, n);
    const copy = new Type(n);
    Buffer.from(copy.buffer).set(buffer.subarray(start + offset, start + offset + n * Type.BYTES_PER_ELEMENT));
    return copy;
  });
  const revive = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if ('$blob' in value) return arrays[(value as { $blob: number }).$blob];
    if (Array.isArray(value)) return value.map(revive);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  };
  return revive(tree) as T;
}

function align(n: number): number {
  return Math.ceil(n / 8) * 8;
}
