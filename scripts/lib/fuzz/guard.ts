/**
 * An allocation guard for the fuzz worker. The JS heap is bounded by the worker's resourceLimits,
 * but typed arrays live outside it: so every ArrayBuffer and typed-array constructor is wrapped
 * to refuse (throw, before allocating) one allocation over the limit, and to check the worker's
 * live ArrayBuffer bytes (process.memoryUsage().arrayBuffers, per isolate) every 16 MB of new
 * allocations. A parser may catch the guard's error and report something else: the guard
 * remembers that the limit was hit, and the worker reports the input as a memory failure anyway.
 */
export class MemoryLimitError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MemoryLimitError';
	}
}

export interface AllocationGuard {
	readonly limitBytes: number;
	/** Forget the last input's state (call before each input). */
	reset(): void;
	/** What went over the limit during this input, or null. */
	exceeded(): string | null;
}

const TYPED_ARRAYS = [
	'Int8Array',
	'Uint8Array',
	'Uint8ClampedArray',
	'Int16Array',
	'Uint16Array',
	'Int32Array',
	'Uint32Array',
	'Float32Array',
	'Float64Array',
	'BigInt64Array',
	'BigUint64Array'
] as const;

const CHECK_EVERY = 16 * 1024 ** 2;

type Ctor = new (...args: unknown[]) => object;

/** Bytes a constructor call allocates: a length, or a copy of an array-like; nothing for a view of a buffer. */
export function bytesAllocated(args: unknown[], bytesPerElement: number): number {
	const a = args[0];
	if (typeof a === 'number') return a * bytesPerElement;
	if (a instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && a instanceof SharedArrayBuffer)) return 0;
	if (a && typeof a === 'object' && typeof (a as { length?: unknown }).length === 'number') return (a as { length: number }).length * bytesPerElement;
	return 0;
}

export function installAllocationGuard(limitBytes: number, global: Record<string, unknown> = globalThis as never): AllocationGuard {
	let exceeded: string | null = null;
	let sinceCheck = 0;
	const account = (bytes: number, what: string) => {
		if (!(bytes > 0)) return; // invalid lengths: the real constructor throws its own error
		if (bytes > limitBytes) {
			exceeded ??= `one ${what} of ${bytes} bytes`;
			throw new MemoryLimitError(`allocation of ${bytes} bytes (${what}) over the ${limitBytes}-byte limit`);
		}
		sinceCheck += bytes;
		if (sinceCheck >= CHECK_EVERY) {
			sinceCheck = 0;
			const live = process.memoryUsage().arrayBuffers + bytes;
			if (live > limitBytes) {
				exceeded ??= `${live} bytes of live buffers`;
				throw new MemoryLimitError(`${live} bytes of live buffers over the ${limitBytes}-byte limit`);
			}
		}
	};
	const wrap = (name: string, bytesPerElement: number) => {
		const Original = global[name] as Ctor;
		const Guarded = class extends Original {
			constructor(...args: unknown[]) {
				account(bytesAllocated(args, bytesPerElement), name);
				super(...args);
			}
			// objects made by the original (Node's Buffers, structured clones) still count as instances
			static [Symbol.hasInstance](x: unknown): boolean {
				return x instanceof Original;
			}
		};
		Object.defineProperty(Guarded, 'name', { value: name });
		global[name] = Guarded;
	};
	for (const name of TYPED_ARRAYS) wrap(name, (global[name] as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
	wrap('ArrayBuffer', 1);
	return {
		limitBytes,
		reset() {
			exceeded = null;
			sinceCheck = 0;
		},
		exceeded: () => exceeded
	};
}
