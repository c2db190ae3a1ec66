/**
 * Readers for Apache Thrift's two wire protocols, compact and binary: just what decoding Jaeger's
 * `Batch` needs (structs, lists, the scalar types, skipping unknown fields) behind one interface, so
 * one Jaeger decoder reads either. Hand-written rather than a Thrift library: the protocols are small,
 * the libraries need generated code or an IDL at run time, and they are not total — a hostile datagram
 * must give a typed error with its byte offset, never an exception from deep inside, a huge allocation
 * or a stack overflow. Sizes are checked against the bytes left before anything is allocated, and
 * nesting is bounded.
 */

/** Thrift's type ids (the binary protocol's numbering; the compact reader maps its own to these). */
export const TType = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

export type ThriftProtocol = 'compact' | 'binary';

/** A 64-bit integer as two unsigned 32-bit words: ids stay exact, and no BigInt on the hot path. */
export interface I64 {
  readonly hi: number;
  readonly lo: number;
}

export class ThriftError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`offset ${offset}: ${reason}`);
  }
}

export interface FieldHeader {
  /** A TType; STOP ends the struct. */
  readonly type: number;
  readonly id: number;
}

export interface ListHeader {
  readonly elemType: number;
  readonly size: number;
}

export interface MessageHeader {
  readonly name: string;
  /** 1 call, 2 reply, 3 exception, 4 oneway. */
  readonly type: number;
  readonly seqId: number;
}

const MAX_DEPTH = 64;
const utf8 = new TextDecoder('utf-8');

export abstract class ThriftReader {
  pos = 0;
  protected depth = 0;

  constructor(protected readonly bytes: Uint8Array) {}

  abstract readonly protocol: ThriftProtocol;
  abstract messageBegin(): MessageHeader;
  abstract fieldBegin(): FieldHeader;
  abstract listBegin(): ListHeader;
  abstract mapBegin(): { keyType: number; valueType: number; size: number };
  abstract bool(): boolean;
  abstract i16(): number;
  abstract i32(): number;
  abstract i64(): I64;
  abstract double(): number;
  protected abstract length(): number;

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  fail(reason: string, at = this.pos): never {
    throw new ThriftError(at, reason);
  }

  structBegin(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`structs nested deeper than ${MAX_DEPTH}`);
  }

  structEnd(): void {
    this.depth--;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) this.fail('the data ends in the middle of a value');
    return this.bytes[this.pos++];
  }

  protected take(n: number): Uint8Array {
    if (n < 0 || n > this.remaining) this.fail(`a length of ${n} bytes runs past the end (${this.remaining} left)`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  binary(): Uint8Array {
    const at = this.pos;
    const n = this.length();
    if (n > this.remaining) this.fail(`a string of ${n} bytes runs past the end (${this.remaining} left)`, at);
    return this.take(n);
  }

  string(): string {
    const b = this.binary();
    // Keys and names are short ASCII: building those directly beats TextDecoder's per-call cost.
    if (b.length <= 32) {
      let ascii = true;
      for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) ascii = false;
      if (ascii) return String.fromCharCode(...b);
    }
    return utf8.decode(b);
  }

  /** A list/set header whose size could fit in what is left (each element takes at least one byte). */
  protected checkedSize(size: number, elemType: number, at: number): ListHeader {
    if (size < 0 || size > this.remaining) this.fail(`a list of ${size} elements cannot fit in the ${this.remaining} bytes left`, at);
    return { elemType, size };
  }

  /** Read past a value of a type this decoder does not use (unknown fields: newer IDL versions). */
  skip(type: number): void {
    switch (type) {
      case TType.BOOL:
        this.bool();
        return;
      case TType.BYTE:
        this.byte();
        return;
      case TType.I16:
        this.i16();
        return;
      case TType.I32:
        this.i32();
        return;
      case TType.I64:
        this.i64();
        return;
      case TType.DOUBLE:
        this.double();
        return;
      case TType.STRING:
        this.binary();
        return;
      case TType.UUID:
        this.take(16);
        return;
      case TType.STRUCT:
        this.structBegin();
        for (let f = this.fieldBegin(); f.type !== TType.STOP; f = this.fieldBegin()) this.skip(f.type);
        this.structEnd();
        return;
      case TType.LIST:
      case TType.SET: {
        const { elemType, size } = this.listBegin();
        this.nested(() => {
          for (let i = 0; i < size; i++) this.skip(elemType);
        });
        return;
      }
      case TType.MAP: {
        const { keyType, valueType, size } = this.mapBegin();
        this.nested(() => {
          for (let i = 0; i < size; i++) {
            this.skip(keyType);
            this.skip(valueType);
          }
        });
        return;
      }
      default:
        this.fail(`unknown Thrift type ${type}`);
    }
  }

  private nested(fn: () => void): void {
    if (++this.depth > MAX_DEPTH) this.fail(`values nested deeper than ${MAX_DEPTH}`);
    fn();
    this.depth--;
  }
}

// --- compact ------------------------------------------------------------------------------------

/** Compact type nibble → TType. BOOLEAN_TRUE (1) and BOOLEAN_FALSE (2) both read as BOOL. */
const COMPACT_TYPES: readonly number[] = [TType.STOP, TType.BOOL, TType.BOOL, TType.BYTE, TType.I16, TType.I32, TType.I64, TType.DOUBLE, TType.STRING, TType.LIST, TType.SET, TType.MAP, TType.STRUCT, TType.UUID];

export class CompactReader extends ThriftReader {
  readonly protocol = 'compact';
  private view: DataView | undefined;
  private lastFieldId: number[] = [];
  private fieldId = 0;
  /** The value of a bool field, carried in its field header. */
  private pendingBool: boolean | undefined;

  messageBegin(): MessageHeader {
    const at = this.pos;
    if (this.byte() !== 0x82) this.fail('not a Thrift compact message (it must start with 0x82)', at);
    const vt = this.byte();
    if ((vt & 0x1f) !== 1) this.fail(`Thrift compact protocol version ${vt & 0x1f}; only version 1 exists`, at + 1);
    const seqId = this.varint32();
    const name = this.string();
    return { name, type: (vt >> 5) & 0x07, seqId };
  }

  override structBegin(): void {
    super.structBegin();
    this.lastFieldId.push(this.fieldId);
    this.fieldId = 0;
  }

  override structEnd(): void {
    super.structEnd();
    this.fieldId = this.lastFieldId.pop() ?? 0;
  }

  fieldBegin(): FieldHeader {
    const at = this.pos;
    const b = this.byte();
    const ct = b & 0x0f;
    if (ct === 0) return { type: TType.STOP, id: 0 };
    const type = COMPACT_TYPES[ct];
    if (type === undefined) this.fail(`unknown compact type ${ct} in a field header`, at);
    const delta = b >> 4;
    this.fieldId = delta ? this.fieldId + delta : this.zigzag32(this.varint32());
    if (type === TType.BOOL) this.pendingBool = ct === 1;
    return { type, id: this.fieldId };
  }

  listBegin(): ListHeader {
    const at = this.pos;
    const b = this.byte();
    const type = COMPACT_TYPES[b & 0x0f];
    if (type === undefined || type === TType.STOP) this.fail(`unknown compact element type ${b & 0x0f}`, at);
    const size = b >> 4 === 15 ? this.varint32() : b >> 4;
    return this.checkedSize(size, type, at);
  }

  mapBegin(): { keyType: number; valueType: number; size: number } {
    const at = this.pos;
    const size = this.varint32();
    if (size === 0) return { keyType: TType.STOP, valueType: TType.STOP, size: 0 };
    const kv = this.byte();
    const keyType = COMPACT_TYPES[kv >> 4];
    const valueType = COMPACT_TYPES[kv & 0x0f];
    if (keyType === undefined || valueType === undefined) this.fail('unknown compact map key or value type', at);
    if (size > this.remaining) this.fail(`a map of ${size} entries cannot fit in the ${this.remaining} bytes left`, at);
    return { keyType, valueType, size };
  }

  bool(): boolean {
    if (this.pendingBool !== undefined) {
      const v = this.pendingBool;
      this.pendingBool = undefined;
      return v;
    }
    return this.byte() === 1; // in a list: one byte each, 1 = true
  }

  i16(): number {
    return this.zigzag32(this.varint32());
  }

  i32(): number {
    return this.zigzag32(this.varint32());
  }

  i64(): I64 {
    const { hi, lo } = this.varint64();
    // zigzag: (n >>> 1) ^ -(n & 1), on two words
    const mask = -(lo & 1);
    return { hi: ((hi >>> 1) ^ mask) >>> 0, lo: (((lo >>> 1) | (hi << 31)) ^ mask) >>> 0 };
  }

  double(): number {
    const at = this.pos;
    if (at + 8 > this.bytes.length) this.fail('the data ends in the middle of a value');
    this.pos = at + 8;
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.view.getFloat64(at, true);
  }

  protected length(): number {
    return this.varint32();
  }

  private varint32(): number {
    const at = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
    }
    this.fail('a varint longer than 5 bytes where a 32-bit one was expected', at);
  }

  private varint64(): I64 {
    const at = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      const v = b & 0x7f;
      const shift = i * 7;
      if (shift < 28) lo |= v << shift;
      else if (shift === 28) {
        lo |= (v & 0x0f) << 28;
        hi |= v >>> 4;
      } else hi |= v << (shift - 32);
      if ((b & 0x80) === 0) return { hi: hi >>> 0, lo: lo >>> 0 };
    }
    this.fail('a varint longer than 10 bytes', at);
  }

  private zigzag32(n: number): number {
    return (n >>> 1) ^ -(n & 1);
  }
}

// --- binary -------------------------------------------------------------------------------------

export class BinaryReader extends ThriftReader {
  readonly protocol = 'binary';
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    super(bytes);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  messageBegin(): MessageHeader {
    const at = this.pos;
    const first = this.i32();
    if (first < 0) {
      // strict: 0x8001 version, then the message type in the low byte
      if ((first & 0xffff0000) >>> 0 !== 0x80010000) this.fail(`Thrift binary protocol version 0x${((first >>> 16) & 0x7fff).toString(16)}; only 1 exists`, at);
      const name = this.string();
      return { name, type: first & 0xff, seqId: this.i32() };
    }
    // old, non-strict: the name's length first
    this.pos = at;
    const name = this.string();
    const type = this.byte();
    return { name, type, seqId: this.i32() };
  }

  fieldBegin(): FieldHeader {
    const at = this.pos;
    const type = this.byte();
    if (type === TType.STOP) return { type, id: 0 };
    if (!isKnownType(type)) this.fail(`unknown Thrift type ${type} in a field header`, at);
    return { type, id: this.i16() };
  }

  listBegin(): ListHeader {
    const at = this.pos;
    const elemType = this.byte();
    if (!isKnownType(elemType) || elemType === TType.STOP) this.fail(`unknown Thrift element type ${elemType}`, at);
    return this.checkedSize(this.i32(), elemType, at);
  }

  mapBegin(): { keyType: number; valueType: number; size: number } {
    const at = this.pos;
    const keyType = this.byte();
    const valueType = this.byte();
    const size = this.i32();
    if (size < 0 || size > this.remaining) this.fail(`a map of ${size} entries cannot fit in the ${this.remaining} bytes left`, at);
    return { keyType, valueType, size };
  }

  bool(): boolean {
    return this.byte() !== 0;
  }

  /** Position of the next `n` bytes, moved past; no subarray per number (that was most of the time). */
  private advance(n: number): number {
    const at = this.pos;
    if (at + n > this.bytes.length) this.fail('the data ends in the middle of a value');
    this.pos = at + n;
    return at;
  }

  i16(): number {
    return this.view.getInt16(this.advance(2), false);
  }

  i32(): number {
    return this.view.getInt32(this.advance(4), false);
  }

  i64(): I64 {
    const o = this.advance(8);
    return { hi: this.view.getUint32(o, false), lo: this.view.getUint32(o + 4, false) };
  }

  double(): number {
    return this.view.getFloat64(this.advance(8), false);
  }

  protected length(): number {
    const at = this.pos;
    const n = this.i32();
    if (n < 0) this.fail(`a negative length ${n}`, at);
    return n;
  }
}

function isKnownType(t: number): boolean {
  return t === TType.BOOL || t === TType.BYTE || t === TType.DOUBLE || t === TType.I16 || t === TType.I32 || t === TType.I64 || t === TType.STRING || t === TType.STRUCT || t === TType.MAP || t === TType.SET || t === TType.LIST || t === TType.UUID;
}

// --- 64-bit values ------------------------------------------------------------------------------

export function i64Hex(v: I64): string {
  return v.hi.toString(16).padStart(8, '0') + v.lo.toString(16).padStart(8, '0');
}

export function i64IsZero(v: I64): boolean {
  return v.hi === 0 && v.lo === 0;
}

/** The signed value as a number when it is exact (|v| < 2^53), else as a decimal string. */
export function i64Value(v: I64): number | string {
  const signedHi = v.hi | 0;
  if (signedHi >= -0x200000 && signedHi < 0x200000) return signedHi * 0x100000000 + v.lo;
  return BigInt.asIntN(64, (BigInt(v.hi) << 32n) | BigInt(v.lo)).toString();
}
