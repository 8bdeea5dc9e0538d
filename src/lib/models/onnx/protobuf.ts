/**
 * Protocol-buffers wire format writer: just what an ONNX ModelProto needs (varints, int64 including
 * negatives, fixed32 floats, length-delimited strings, bytes and sub-messages). Fields are written
 * in the order they are added; parsers accept any order.
 */

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const encoder = new TextEncoder();

/** Bytes a varint of `value` (a non-negative safe integer) takes. */
export function varintSize(value: number): number {
	if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
	let n = 1;
	while (value >= 128) {
		value = Math.floor(value / 128);
		n++;
	}
	return n;
}

/** Bytes of a length-delimited field `field` whose payload is `length` bytes (tag + length + payload). */
export function lenFieldSize(field: number, length: number): number {
	return varintSize(field * 8 + WIRE_LEN) + varintSize(length) + length;
}

export class ProtoWriter {
	private buf = new Uint8Array(256);
	private len = 0;

	get length(): number {
		return this.len;
	}

	private reserve(n: number) {
		if (this.len + n <= this.buf.length) return;
		let size = this.buf.length * 2;
		while (size < this.len + n) size *= 2;
		const next = new Uint8Array(size);
		next.set(this.buf.subarray(0, this.len));
		this.buf = next;
	}

	/** A non-negative varint (up to 2^53). */
	varint(value: number): this {
		if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
		this.reserve(10);
		while (value >= 128) {
			this.buf[this.len++] = (value % 128) | 128;
			value = Math.floor(value / 128);
		}
		this.buf[this.len++] = value;
		return this;
	}

	/** A signed int64 as protobuf encodes it (negatives: ten-byte two's complement). */
	int64Varint(value: number): this {
		if (value >= 0) return this.varint(value);
		if (!Number.isSafeInteger(value)) throw new RangeError(`int64 out of range: ${value}`);
		let v = BigInt.asUintN(64, BigInt(value));
		this.reserve(10);
		while (v >= 128n) {
			this.buf[this.len++] = Number(v & 127n) | 128;
			v >>= 7n;
		}
		this.buf[this.len++] = Number(v);
		return this;
	}

	tag(field: number, wire: number): this {
		return this.varint(field * 8 + wire);
	}

	int64(field: number, value: number): this {
		return this.tag(field, WIRE_VARINT).int64Varint(value);
	}

	float(field: number, value: number): this {
		this.tag(field, WIRE_FIXED32);
		this.reserve(4);
		new DataView(this.buf.buffer, this.buf.byteOffset + this.len, 4).setFloat32(0, value, true);
		this.len += 4;
		return this;
	}

	bytes(field: number, data: Uint8Array): this {
		this.tag(field, WIRE_LEN).varint(data.length);
		this.reserve(data.length);
		this.buf.set(data, this.len);
		this.len += data.length;
		return this;
	}

	string(field: number, value: string): this {
		return this.bytes(field, encoder.encode(value));
	}

	message(field: number, sub: ProtoWriter): this {
		return this.bytes(field, sub.finish());
	}

	/** The tag and length of a length-delimited field whose payload the caller writes elsewhere. */
	lenHeader(field: number, length: number): this {
		return this.tag(field, WIRE_LEN).varint(length);
	}

	finish(): Uint8Array {
		return this.buf.subarray(0, this.len);
	}
}
