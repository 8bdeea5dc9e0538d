/**
 * A YAML reader for model configs (ZFTurbo's Music-Source-Separation-Training yaml files),
 * returning what PyYAML's FullLoader returns for them: block mappings and sequences (a
 * sequence may sit at its key's indentation), flow [..] and {..} collections, plain, single-
 * and double-quoted scalars, comments, and YAML 1.1 scalar resolution exactly as PyYAML does
 * it (so `1.0e-05` is a float, `1e-5` a string, `yes`/`on` booleans, `~` null).
 * Tags: `!!python/tuple` gives an array (a tuple), `!!str` / `!!int` / `!!float` / `!!bool` /
 * `!!null` / `!!seq` / `!!map` are honoured; any other tag (e.g. `!!python/object`) is an error:
 * nothing is ever constructed from a tag. Not supported (clear error): anchors and aliases,
 * block scalars (| and >), multi-line flow collections, several documents.
 */

export class YamlError extends Error {
	constructor(message: string, line?: number) {
		super(line === undefined ? message : `yaml line ${line}: ${message}`);
		this.name = 'YamlError';
	}
}

/** Deepest nesting of collections read (configs nest a handful deep); deeper input is an error, not a stack overflow. */
export const MAX_YAML_DEPTH = 100;

const tooDeep = (no: number) => new YamlError(`collections nest more than ${MAX_YAML_DEPTH} deep`, no);

export type YamlValue = null | boolean | number | string | YamlValue[] | { [key: string]: YamlValue };

interface Line {
	no: number;
	indent: number;
	text: string;
}

/** The text of a line without its comment (a # at the start or after whitespace, outside quotes). */
function stripComment(s: string, no: number): string {
	let quote = '';
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (quote) {
			if (quote === '"' && c === '\\') i++;
			else if (c === quote) {
				if (quote === "'" && s[i + 1] === "'") i++;
				else quote = '';
			}
		} else if (c === '#' && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '\t')) {
			return s.slice(0, i).trimEnd();
		} else if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:-]/.test(s[i - 1]))) {
			quote = c;
		}
	}
	if (quote) throw new YamlError('unterminated quoted string', no);
	return s.trimEnd();
}

function splitLines(text: string): Line[] {
	const out: Line[] = [];
	const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
	let started = false;
	for (let i = 0; i < raw.length; i++) {
		const no = i + 1;
		const full = raw[i];
		if (/^%/.test(full) && !started) continue; // directives
		if (/^---(\s|$)/.test(full)) {
			if (started) throw new YamlError('several documents in one file are not supported', no);
			started = true;
			const rest = stripComment(full.slice(3), no).trim();
			if (rest) out.push({ no, indent: 0, text: rest });
			continue;
		}
		if (/^\.\.\.(\s|$)/.test(full)) break;
		const indentMatch = /^[ ]*/.exec(full)![0].length;
		if (full[indentMatch] === '\t') throw new YamlError('tabs are not allowed for indentation', no);
		const text = stripComment(full.slice(indentMatch), no);
		if (!text) continue;
		started = true;
		out.push({ no, indent: indentMatch, text });
	}
	return out;
}

// YAML 1.1 implicit resolvers, as PyYAML's Resolver defines them.
const BOOL_RE = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT_RE = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT_RE =
	/^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULL_RE = /^(?:~|null|Null|NULL|)$/;

function sexagesimal(s: string): number {
	let v = 0;
	for (const part of s.split(':')) v = v * 60 + parseFloat(part);
	return v;
}

function toInt(plain: string): number {
	let s = plain.replace(/_/g, '');
	let sign = 1;
	if (s[0] === '-' || s[0] === '+') {
		if (s[0] === '-') sign = -1;
		s = s.slice(1);
	}
	if (s === '0') return 0;
	if (s.startsWith('0b')) return sign * parseInt(s.slice(2), 2);
	if (s.startsWith('0x')) return sign * parseInt(s.slice(2), 16);
	if (s[0] === '0') return sign * parseInt(s, 8);
	if (s.includes(':')) return sign * sexagesimal(s);
	return sign * parseInt(s, 10);
}

function toFloat(plain: string): number {
	let s = plain.replace(/_/g, '').toLowerCase();
	let sign = 1;
	if (s[0] === '-' || s[0] === '+') {
		if (s[0] === '-') sign = -1;
		s = s.slice(1);
	}
	if (s === '.inf') return sign * Infinity;
	if (s === '.nan') return NaN;
	if (s.includes(':')) return sign * sexagesimal(s);
	return sign * parseFloat(s);
}

/** A plain (unquoted) scalar resolved as PyYAML resolves it. */
export function resolvePlain(s: string): YamlValue {
	if (NULL_RE.test(s)) return null;
	if (BOOL_RE.test(s)) return /^(?:yes|true|on)$/i.test(s);
	if (INT_RE.test(s)) return toInt(s);
	if (FLOAT_RE.test(s)) return toFloat(s);
	return s;
}

function applyTag(tag: string, value: YamlValue, quoted: boolean, no: number): YamlValue {
	switch (tag) {
		case '!!python/tuple':
		case '!!seq':
			if (value === null) return [];
			if (!Array.isArray(value)) throw new YamlError(`${tag} needs a sequence`, no);
			return value;
		case '!!map':
			if (value === null) return {};
			if (typeof value !== 'object' || Array.isArray(value)) throw new YamlError('!!map needs a mapping', no);
			return value;
		case '!!str':
			if (value !== null && typeof value === 'object') throw new YamlError('!!str needs a scalar', no);
			return value === null ? '' : String(value);
		case '!!int':
		case '!!float': {
			const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.replace(/_/g, '')) : NaN;
			if (!Number.isFinite(n) && !(tag === '!!float' && typeof value === 'number')) throw new YamlError(`${tag} needs a number`, no);
			return tag === '!!int' ? Math.trunc(n) : n;
		}
		case '!!bool':
			if (typeof value === 'boolean') return value;
			throw new YamlError('!!bool needs true or false', no);
		case '!!null':
			return null;
		default:
			throw new YamlError(`the tag ${tag} is not supported (only plain data is read from a config)`, no);
	}
}

/** Inline value (after `key:` or `- `): flow collection, quoted or plain scalar, maybe tagged. */
class Inline {
	private i = 0;
	private depth = 0;
	constructor(
		private readonly s: string,
		private readonly no: number
	) {}

	static parse(s: string, no: number): YamlValue {
		const p = new Inline(s, no);
		const v = p.value(false);
		p.ws();
		if (p.i < s.length) throw new YamlError(`unexpected "${s.slice(p.i)}"`, no);
		return v;
	}

	private ws() {
		while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
	}

	private value(inFlow: boolean): YamlValue {
		this.ws();
		const s = this.s;
		let tag = '';
		if (s.startsWith('!', this.i)) {
			const m = /^!\S*/.exec(s.slice(this.i))!;
			tag = m[0];
			this.i += tag.length;
			this.ws();
		}
		if (s[this.i] === '&' || s[this.i] === '*') throw new YamlError('anchors and aliases are not supported', this.no);
		let v: YamlValue;
		let quoted = false;
		const c = s[this.i];
		if ((c === '[' || c === '{') && ++this.depth > MAX_YAML_DEPTH) throw tooDeep(this.no);
		if (c === '[') v = this.seq();
		else if (c === '{') v = this.map();
		else if (c === '"' || c === "'") {
			v = this.quoted();
			quoted = true;
		} else if ((c === '|' || c === '>') && !inFlow) throw new YamlError('block scalars (| and >) are not supported', this.no);
		else {
			const start = this.i;
			v = this.plain(inFlow);
			if (tag === '!!str') return this.s.slice(start, this.i).trim(); // the text as written
		}
		return tag ? applyTag(tag, v, quoted, this.no) : v;
	}

	private plain(inFlow: boolean): YamlValue {
		const s = this.s;
		const start = this.i;
		while (this.i < s.length) {
			const c = s[this.i];
			if (inFlow && (c === ',' || c === ']' || c === '}')) break;
			if (inFlow && c === ':' && (this.i + 1 >= s.length || /[\s,\]}]/.test(s[this.i + 1]))) break;
			this.i++;
		}
		return resolvePlain(s.slice(start, this.i).trim());
	}

	private quoted(): string {
		const s = this.s;
		const q = s[this.i++];
		let out = '';
		while (this.i < s.length) {
			const c = s[this.i++];
			if (q === "'" && c === "'") {
				if (s[this.i] === "'") {
					out += "'";
					this.i++;
					continue;
				}
				return out;
			}
			if (q === '"' && c === '"') return out;
			if (q === '"' && c === '\\') {
				const e = s[this.i++];
				const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '"': '"', '\\': '\\', '/': '/', ' ': ' ', b: '\b', f: '\f', e: '\x1b', a: '\x07', v: '\v', N: '\u0085', _: '\u00a0' };
				if (e in simple) out += simple[e];
				else if (e === 'x' || e === 'u' || e === 'U') {
					const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
					const hex = s.slice(this.i, this.i + n);
					if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) throw new YamlError('bad escape in a double-quoted string', this.no);
					out += String.fromCodePoint(parseInt(hex, 16));
					this.i += n;
				} else throw new YamlError(`unknown escape \\${e} in a double-quoted string`, this.no);
				continue;
			}
			out += c;
		}
		throw new YamlError('unterminated quoted string (multi-line strings are not supported)', this.no);
	}

	private seq(): YamlValue[] {
		this.i++; // [
		const out: YamlValue[] = [];
		for (;;) {
			this.ws();
			if (this.s[this.i] === ']') {
				this.i++;
				this.depth--;
				return out;
			}
			if (this.i >= this.s.length) throw new YamlError('unterminated [ (multi-line flow sequences are not supported)', this.no);
			out.push(this.value(true));
			this.ws();
			if (this.i >= this.s.length) continue; // reported as unterminated above
			if (this.s[this.i] === ',') this.i++;
			else if (this.s[this.i] !== ']') throw new YamlError('expected , or ] in a flow sequence', this.no);
		}
	}

	private map(): { [key: string]: YamlValue } {
		this.i++; // {
		const out: { [key: string]: YamlValue } = {};
		for (;;) {
			this.ws();
			if (this.s[this.i] === '}') {
				this.i++;
				this.depth--;
				return out;
			}
			if (this.i >= this.s.length) throw new YamlError('unterminated { (multi-line flow mappings are not supported)', this.no);
			const key = this.value(true);
			this.ws();
			let v: YamlValue = null;
			if (this.s[this.i] === ':') {
				this.i++;
				this.ws();
				if (this.s[this.i] !== ',' && this.s[this.i] !== '}') v = this.value(true);
			}
			setKey(out, keyString(key, this.no), v);
			this.ws();
			if (this.i >= this.s.length) continue; // reported as unterminated above
			if (this.s[this.i] === ',') this.i++;
			else if (this.s[this.i] !== '}') throw new YamlError('expected , or } in a flow mapping', this.no);
		}
	}
}

function keyString(key: YamlValue, no: number): string {
	if (key !== null && typeof key === 'object') throw new YamlError('collections as mapping keys are not supported', no);
	if (key === null) return 'null';
	if (typeof key === 'boolean') return key ? 'true' : 'false';
	return String(key);
}

function setKey(obj: { [key: string]: YamlValue }, key: string, value: YamlValue) {
	if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
	else obj[key] = value;
}

/** Position of the `:` that ends a block mapping key, or -1. */
function keyColon(text: string): number {
	let quote = '';
	let depth = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quote) {
			if (quote === '"' && c === '\\') i++;
			else if (c === quote) quote = '';
			continue;
		}
		if ((c === '"' || c === "'") && i === 0) quote = c;
		else if (c === '[' || c === '{') depth++;
		else if (c === ']' || c === '}') depth--;
		else if (c === ':' && depth === 0 && (i + 1 === text.length || text[i + 1] === ' ')) return i;
	}
	return -1;
}

const isSeqItem = (text: string) => text === '-' || text.startsWith('- ');

class Block {
	private p = 0;
	private depth = 0;
	constructor(private readonly lines: Line[]) {}

	parseDocument(): YamlValue {
		if (this.lines.length === 0) return null;
		const v = this.node(this.lines[0].indent);
		if (this.p < this.lines.length) throw new YamlError('unexpected indentation', this.lines[this.p].no);
		return v;
	}

	/** The block node starting at the current line, whose indentation is `indent`. */
	private node(indent: number): YamlValue {
		const line = this.lines[this.p];
		if (++this.depth > MAX_YAML_DEPTH) throw tooDeep(line.no);
		try {
			return this.nodeAt(indent, line);
		} finally {
			this.depth--;
		}
	}

	private nodeAt(indent: number, line: Line): YamlValue {
		const tagOnly = /^(!\S*)$/.exec(line.text);
		if (tagOnly) {
			// a tag on a line of its own, then the node it tags (at this indentation or deeper)
			this.p++;
			const next = this.lines[this.p];
			const v = next && next.indent >= indent ? this.node(next.indent) : null;
			return applyTag(tagOnly[1], v, false, line.no);
		}
		if (isSeqItem(line.text)) return this.sequence(indent);
		if (keyColon(line.text) >= 0) return this.mapping(indent);
		// a lone scalar (or flow collection) as the whole node
		this.p++;
		return Inline.parse(line.text, line.no);
	}

	/** After `key:` or `- ` with nothing (or only a tag) on the line: the nested node, if any. */
	private nested(parentIndent: number, allowSameIndentSeq: boolean): YamlValue {
		const next = this.lines[this.p];
		if (next && next.indent > parentIndent) return this.node(next.indent);
		if (next && allowSameIndentSeq && next.indent === parentIndent && isSeqItem(next.text)) return this.sequence(parentIndent);
		return null;
	}

	private valueAfter(rest: string, line: Line, parentIndent: number, allowSameIndentSeq: boolean): YamlValue {
		const tagOnly = /^(!\S*)$/.exec(rest);
		if (rest === '' || tagOnly) {
			const v = this.nested(parentIndent, allowSameIndentSeq);
			return tagOnly ? applyTag(tagOnly[1], v, false, line.no) : v;
		}
		return Inline.parse(rest, line.no);
	}

	private mapping(indent: number): { [key: string]: YamlValue } {
		const out: { [key: string]: YamlValue } = {};
		while (this.p < this.lines.length) {
			const line = this.lines[this.p];
			if (line.indent < indent) break;
			if (line.indent > indent) throw new YamlError('unexpected indentation', line.no);
			if (isSeqItem(line.text)) break;
			const colon = keyColon(line.text);
			if (colon < 0) throw new YamlError(`expected "key: value", got "${line.text}"`, line.no);
			const key = keyString(Inline.parse(line.text.slice(0, colon), line.no), line.no);
			this.p++;
			setKey(out, key, this.valueAfter(line.text.slice(colon + 1).trim(), line, indent, true));
		}
		return out;
	}

	private sequence(indent: number): YamlValue[] {
		const out: YamlValue[] = [];
		while (this.p < this.lines.length) {
			const line = this.lines[this.p];
			if (line.indent !== indent || !isSeqItem(line.text)) {
				if (line.indent > indent) throw new YamlError('unexpected indentation', line.no);
				break;
			}
			const rest = line.text.slice(1).replace(/^ +/, '');
			if (rest && (isSeqItem(rest) || (keyColon(rest) >= 0 && !/^[[{"']/.test(rest)))) {
				// "- key: value" / "- - x": the rest of the line starts a nested block at its own column
				const column = indent + (line.text.length - rest.length);
				this.lines[this.p] = { no: line.no, indent: column, text: rest };
				out.push(this.node(column));
			} else {
				this.p++;
				out.push(this.valueAfter(rest, line, indent, false));
			}
		}
		return out;
	}
}

/** Parses one YAML document. Throws YamlError (with the line number) on what it cannot read. */
export function parseYaml(text: string): YamlValue {
	return new Block(splitLines(text)).parseDocument();
}
