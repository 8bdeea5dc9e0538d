/** Element types of checkpoint tensors and their conversion to float32. */
import type { TensorDType } from '../types';
import { CheckpointError } from './errors';

export const ITEM_SIZE: Record<TensorDType, number> = {
	float32: 4,
	float16: 2,
	bfloat16: 2,
	float64: 8,
	int64: 8,
	int32: 4,
	int16: 2,
	int8: 1,
	uint8: 1,
	bool: 1
};

let halfTable: Float32Array | null = null;

/** float16 bits -> float32 value, all 65536 of them (256 KiB, built on first use). */
function halfToFloatTable(): Float32Array {
	if (halfTable) return halfTable;
	halfTable = new Float32Array(65536);
	for (let h = 0; h < 65536; h++) {
		const sign = h & 0x8000 ? -1 : 1;
		const exp = (h >> 10) & 0x1f;
		const frac = h & 0x3ff;
		let v: number;
		if (exp === 0) v = frac * 2 ** -24; // subnormal
		else if (exp === 31) v = frac ? NaN : Infinity;
		else v = (1 + frac / 1024) * 2 ** (exp - 15);
		halfTable[h] = sign * v;
	}
	return halfTable;
}

/**
 * `bytes` (little-endian unless `bigEndian`) holding `count` elements of `dtype` -> float32.
 * int64 values beyond 2^24 lose precision, as any float32 does.
 */
export function toFloat32(bytes: Uint8Array, dtype: TensorDType, count: number, bigEndian = false): Float32Array {
	const size = ITEM_SIZE[dtype];
	if (bytes.byteLength < count * size) throw new CheckpointError('tensor data is shorter than its shape says (corrupt file)');
	let src = bytes;
	if (bigEndian && size > 1) {
		src = new Uint8Array(count * size);
		for (let i = 0; i < count; i++) for (let b = 0; b < size; b++) src[i * size + b] = bytes[i * size + size - 1 - b];
	}
	const view = new DataView(src.buffer, src.byteOffset, count * size);
	const out = new Float32Array(count);
	switch (dtype) {
		case 'float32':
			if (src.byteOffset % 4 === 0) out.set(new Float32Array(src.buffer, src.byteOffset, count));
			else for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
			break;
		case 'float16': {
			const t = halfToFloatTable();
			for (let i = 0; i < count; i++) out[i] = t[src[2 * i] | (src[2 * i + 1] << 8)];
			break;
		}
		case 'bfloat16': {
			const u = new Uint32Array(out.buffer);
			for (let i = 0; i < count; i++) u[i] = ((src[2 * i] | (src[2 * i + 1] << 8)) << 16) >>> 0;
			break;
		}
		case 'float64':
			for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
			break;
		case 'int64':
			for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
			break;
		case 'int32':
			for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
			break;
		case 'int16':
			for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
			break;
		case 'int8':
			for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
			break;
		case 'uint8':
		case 'bool':
			for (let i = 0; i < count; i++) out[i] = src[i];
			break;
	}
	return out;
}

export function numel(shape: number[]): number {
	return shape.reduce((a, b) => a * b, 1);
}

/** C-order (row-major) strides of a shape. */
export function contiguousStrides(shape: number[]): number[] {
	const s = new Array<number>(shape.length);
	let acc = 1;
	for (let i = shape.length - 1; i >= 0; i--) {
		s[i] = acc;
		acc *= shape[i];
	}
	return s;
}

/** True when elements at (shape, stride) are exactly the next numel elements in order. */
export function isContiguous(shape: number[], stride: number[]): boolean {
	const c = contiguousStrides(shape);
	return shape.every((n, i) => n <= 1 || stride[i] === c[i]);
}

/** Largest element offset (relative to the storage offset) a strided view touches, + 1. */
export function stridedExtent(shape: number[], stride: number[]): number {
	if (numel(shape) === 0) return 0;
	let last = 0;
	for (let i = 0; i < shape.length; i++) last += (shape[i] - 1) * stride[i];
	return last + 1;
}

/** Elements of a strided view, in C order, out of `base` (which starts at the view's offset). */
export function gatherStrided(base: Float32Array, shape: number[], stride: number[]): Float32Array {
	const n = numel(shape);
	const out = new Float32Array(n);
	if (n === 0) return out;
	const nd = shape.length;
	const idx = new Array<number>(nd).fill(0);
	let off = 0;
	for (let k = 0; k < n; k++) {
		out[k] = base[off];
		for (let d = nd - 1; d >= 0; d--) {
			idx[d]++;
			off += stride[d];
			if (idx[d] < shape[d]) break;
			off -= stride[d] * shape[d];
			idx[d] = 0;
		}
	}
	return out;
}
