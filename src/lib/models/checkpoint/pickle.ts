/**
 * The subset of Python's pickle virtual machine that PyTorch state dicts use. It never runs
 * code: GLOBAL / STACK_GLOBAL are resolved through `findGlobal`, which knows only a short
 * allow-list (the caller's), and anything else is an error that names the opcode or global.
 *
 * Python values become: None -> null, bool -> boolean, int -> number (bigint beyond 2^53),
 * float -> number, str -> string, bytes -> Uint8Array, list and tuple -> array,
 * dict / OrderedDict -> Map.
 */
import { CheckpointError } from './errors';

/** A callable the pickle may REDUCE with (from `findGlobal`). */
export class PyCallable {
	constructor(
		readonly qualname: string,
		readonly call: (args: unknown[]) => unknown
	) {}
}

/** A plain-data object of ours that BUILD may set the state of (e.g. a numpy dtype). */
export abstract class PyStateful {
	abstract setState(state: unknown): void;
}

export interface UnpickleHooks {
	/** Returns what `module.name` means, or throws. */
	findGlobal(module: string, name: string): unknown;
	/** BINPERSID: the persistent id (a tuple) -> object. */
	persistentLoad(pid: unknown): unknown;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Deepest MARK nesting accepted. Python's pickler recurses once per nested container and stops at
 * its recursion limit (1000), so a real pickle never comes near this.
 */
export const MAX_MARK_DEPTH = 1000;
/** Longest LONG1 / LONG4 integer, in bytes (a state dict holds sizes and counts: 8 bytes at most). */
export const MAX_LONG_BYTES = 1024;

function opName(op: number): string {
	const printable = op >= 0x20 && op < 0x7f ? `'${String.fromCharCode(op)}'` : '';
	return `0x${op.toString(16).padStart(2, '0')}${printable ? ' ' + printable : ''}`;
}

export function unpickle(data: Uint8Array, hooks: UnpickleHooks): unknown {
	const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
	let pos = 0;
	let stack: unknown[] = [];
	const metastack: unknown[][] = [];
	const memo = new Map<number, unknown>();

	const need = (n: number) => {
		if (pos + n > data.length) throw new CheckpointError('the checkpoint pickle ends early (truncated or corrupt file)');
	};
	const u8 = () => (need(1), data[pos++]);
	const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
	const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
	const bytes = (n: number) => {
		need(n);
		pos += n;
		return data.subarray(pos - n, pos);
	};
	const text = (n: number) => {
		try {
			return decoder.decode(bytes(n));
		} catch {
			throw new CheckpointError('the checkpoint pickle has a malformed string (corrupt file)');
		}
	};
	const line = () => {
		const end = data.indexOf(0x0a, pos);
		if (end < 0) throw new CheckpointError('the checkpoint pickle ends early (truncated or corrupt file)');
		const s = new TextDecoder('latin1').decode(data.subarray(pos, end));
		pos = end + 1;
		return s;
	};
	const pop = () => {
		if (stack.length === 0) throw new CheckpointError('the checkpoint pickle is malformed (stack underflow; corrupt file)');
		return stack.pop();
	};
	const top = () => {
		if (stack.length === 0) throw new CheckpointError('the checkpoint pickle is malformed (stack underflow; corrupt file)');
		return stack[stack.length - 1];
	};
	const popMark = () => {
		const items = stack;
		const prev = metastack.pop();
		if (!prev) throw new CheckpointError('the checkpoint pickle is malformed (no MARK; corrupt file)');
		stack = prev;
		return items;
	};
	const setItems = (target: unknown, items: unknown[]) => {
		if (!(target instanceof Map)) throw new CheckpointError('the checkpoint pickle sets items on something that is not a dict');
		for (let i = 0; i + 1 < items.length; i += 2) target.set(hashable(items[i]), items[i + 1]);
	};
	const append = (target: unknown, items: unknown[]) => {
		if (!Array.isArray(target)) throw new CheckpointError('the checkpoint pickle appends to something that is not a list');
		for (const x of items) target.push(x);
	};
	const memoGet = (i: number) => {
		if (!memo.has(i)) throw new CheckpointError(`the checkpoint pickle refers to memo ${i}, which was never stored (corrupt file)`);
		return memo.get(i);
	};
	const long = (b: Uint8Array): number | bigint => {
		if (b.length === 0) return 0;
		if (b.length > MAX_LONG_BYTES) throw new CheckpointError(`the checkpoint pickle has a ${b.length}-byte integer (corrupt file)`);
		let hex = '';
		for (let i = b.length - 1; i >= 0; i--) hex += b[i].toString(16).padStart(2, '0');
		let v = BigInt('0x' + hex);
		if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
		return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
	};

	for (;;) {
		const op = u8();
		switch (op) {
			case 0x80: // PROTO
				if (u8() > 5) throw new CheckpointError('the checkpoint uses a pickle protocol newer than 5');
				break;
			case 0x95: // FRAME
				need(8);
				pos += 8;
				break;
			case 0x2e: // STOP
				return pop();
			case 0x28: // MARK
				if (metastack.length >= MAX_MARK_DEPTH) {
					throw new CheckpointError(`the checkpoint pickle nests containers more than ${MAX_MARK_DEPTH} deep (corrupt file)`);
				}
				metastack.push(stack);
				stack = [];
				break;
			case 0x30: // POP
				pop();
				break;
			case 0x31: // POP_MARK
				popMark();
				break;
			case 0x32: // DUP
				stack.push(top());
				break;
			case 0x7d: // EMPTY_DICT
				stack.push(new Map());
				break;
			case 0x5d: // EMPTY_LIST
			case 0x29: // EMPTY_TUPLE
				stack.push([]);
				break;
			case 0x64: {
				// DICT
				const m = new Map();
				setItems(m, popMark());
				stack.push(m);
				break;
			}
			case 0x6c: // LIST
			case 0x74: {
				// TUPLE (popMark replaces `stack`: take the items before pushing)
				const items = popMark();
				stack.push(items);
				break;
			}
			case 0x85: // TUPLE1
				stack.push([pop()]);
				break;
			case 0x86: {
				// TUPLE2
				const b = pop();
				stack.push([pop(), b]);
				break;
			}
			case 0x87: {
				// TUPLE3
				const c = pop();
				const b = pop();
				stack.push([pop(), b, c]);
				break;
			}
			case 0x4e: // NONE
				stack.push(null);
				break;
			case 0x88: // NEWTRUE
				stack.push(true);
				break;
			case 0x89: // NEWFALSE
				stack.push(false);
				break;
			case 0x4a: // BININT
				need(4);
				stack.push(view.getInt32(pos, true));
				pos += 4;
				break;
			case 0x4b: // BININT1
				stack.push(u8());
				break;
			case 0x4d: // BININT2
				stack.push(u16());
				break;
			case 0x8a: // LONG1
				stack.push(long(bytes(u8())));
				break;
			case 0x8b: {
				// LONG4
				const n = view.getInt32((need(4), pos), true);
				pos += 4;
				if (n < 0) throw new CheckpointError('the checkpoint pickle is malformed (negative LONG4 size)');
				stack.push(long(bytes(n)));
				break;
			}
			case 0x47: // BINFLOAT (big-endian)
				need(8);
				stack.push(view.getFloat64(pos, false));
				pos += 8;
				break;
			case 0x58: // BINUNICODE
				stack.push(text(u32()));
				break;
			case 0x8c: // SHORT_BINUNICODE
				stack.push(text(u8()));
				break;
			case 0x8d: {
				// BINUNICODE8
				need(8);
				const n = Number(view.getBigUint64(pos, true));
				pos += 8;
				stack.push(text(n));
				break;
			}
			case 0x54: // BINSTRING (Python 2 str)
				stack.push(new TextDecoder('latin1').decode(bytes(u32())));
				break;
			case 0x55: // SHORT_BINSTRING
				stack.push(new TextDecoder('latin1').decode(bytes(u8())));
				break;
			case 0x42: // BINBYTES
				stack.push(bytes(u32()).slice());
				break;
			case 0x43: // SHORT_BINBYTES
				stack.push(bytes(u8()).slice());
				break;
			case 0x63: {
				// GLOBAL: "module\nname\n"
				const module = line();
				const name = line();
				stack.push(hooks.findGlobal(module, name));
				break;
			}
			case 0x93: {
				// STACK_GLOBAL
				const name = pop();
				const module = pop();
				if (typeof module !== 'string' || typeof name !== 'string') {
					throw new CheckpointError('the checkpoint pickle is malformed (STACK_GLOBAL without names)');
				}
				stack.push(hooks.findGlobal(module, name));
				break;
			}
			case 0x52: {
				// REDUCE
				const args = pop();
				const fn = pop();
				if (!(fn instanceof PyCallable)) throw new CheckpointError('the checkpoint pickle calls something that is not an allowed function');
				if (!Array.isArray(args)) throw new CheckpointError(`the checkpoint pickle calls ${fn.qualname} without an argument tuple`);
				stack.push(fn.call(args));
				break;
			}
			case 0x62: {
				// BUILD: the OrderedDict of a state dict gets state (its _metadata attribute: ignored);
				// PyStateful objects (numpy dtypes) take theirs
				const state = pop();
				const obj = top();
				if (obj instanceof PyStateful) obj.setState(state);
				else if (!(obj instanceof Map)) {
					throw new CheckpointError('the checkpoint pickle sets the state of an object that is not a dict (BUILD); only state dicts are read');
				}
				break;
			}
			case 0x51: // BINPERSID
				stack.push(hooks.persistentLoad(pop()));
				break;
			case 0x73: {
				// SETITEM
				const v = pop();
				const k = pop();
				setItems(top(), [k, v]);
				break;
			}
			case 0x75: {
				// SETITEMS
				const items = popMark();
				setItems(top(), items);
				break;
			}
			case 0x61: {
				// APPEND
				const v = pop();
				append(top(), [v]);
				break;
			}
			case 0x65: {
				// APPENDS
				const items = popMark();
				append(top(), items);
				break;
			}
			case 0x68: // BINGET
				stack.push(memoGet(u8()));
				break;
			case 0x6a: // LONG_BINGET
				stack.push(memoGet(u32()));
				break;
			case 0x71: // BINPUT
				memo.set(u8(), top());
				break;
			case 0x72: // LONG_BINPUT
				memo.set(u32(), top());
				break;
			case 0x94: // MEMOIZE
				memo.set(memo.size, top());
				break;
			default:
				throw new CheckpointError(
					`the checkpoint pickle uses opcode ${opName(op)} at byte ${pos - 1}, which a state dict never needs ` +
						'(only plain tensors are read; no code is run)'
				);
		}
	}
}

/**
 * Dict keys: strings, numbers, booleans and None by value (bigints as their decimal text);
 * anything else (a tuple) by identity. A pickle writes each key of a dict once, so keys never need
 * to be compared by structure: identity costs O(1), where stringifying a key made of shared
 * tuples (a DAG of 27 objects with 2^26 leaves) took half a minute and gigabytes.
 */
function hashable(k: unknown): unknown {
	return typeof k === 'bigint' ? k.toString() : k;
}
