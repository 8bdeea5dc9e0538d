/**
 * The app's security headers, one definition for every way it is served: SvelteKit's `kit.csp`
 * (svelte.config.js: a <meta> Content-Security-Policy in each prerendered page, with the hash of
 * its inline bootstrap script), `scripts/serve.mjs` (npm start, the tests), `static/_headers`
 * (Cloudflare Pages, Netlify; a unit test keeps it equal to what this module writes), the nginx
 * example in docs/hosting.md, and the service worker's fallback for hosts that send none.
 *
 * Why each source is allowed (docs/hosting.md has the long form):
 * - script-src 'self' 'wasm-unsafe-eval': the app's own bundles; onnxruntime-web, the SIMD FFT,
 *   the time stretch and the MP3 and Opus encoders compile WebAssembly (no eval() of JavaScript).
 *   The page's inline bootstrap is allowed by its hash, which only the <meta> policy can carry (it
 *   changes with every build).
 * - worker-src 'self': the separation, export and import workers and onnxruntime-web's WASM
 *   threads are module workers from the app's own files (no blob: workers).
 * - connect-src 'self': the app's files, the models and the license function under /api.
 * - style-src 'self': only the built stylesheets; style directives are set through the CSSOM.
 *   One style attribute is allowed by its hash: that of SvelteKit's screen-reader announcer
 *   (`<div id="svelte-announcer" style="position: absolute; …">` in its generated root component);
 *   a SvelteKit update that changes it shows up as a violation in the e2e tests.
 * - frame-ancestors 'none': no site may frame the app. A <meta> policy cannot say this, so it is
 *   sent as an HTTP header.
 *
 * Plain JavaScript (with JSDoc types) so that svelte.config.js and Node scripts can import it.
 */

/** sha256 of the style attribute of SvelteKit's route announcer (.svelte-kit/generated/root.svelte). */
export const SVELTEKIT_ANNOUNCER_STYLE = 'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo=';

/**
 * The Content-Security-Policy in SvelteKit's `kit.csp.directives` form (keywords unquoted).
 * @type {Record<string, string[]>}
 */
export const CSP_DIRECTIVES = {
	'default-src': ['self'],
	'script-src': ['self', 'wasm-unsafe-eval'],
	'worker-src': ['self'],
	'connect-src': ['self'],
	'img-src': ['self'],
	'media-src': ['self'],
	'style-src': ['self'],
	'style-src-attr': ['unsafe-hashes', SVELTEKIT_ANNOUNCER_STYLE],
	'font-src': ['self'],
	'manifest-src': ['self'],
	'object-src': ['none'],
	'frame-src': ['none'],
	'base-uri': ['self'],
	'form-action': ['self'],
	'frame-ancestors': ['none']
};

/** Directives a page's HTTP header leaves to its <meta> policy, which carries the bootstrap's hash. */
export const META_ONLY = ['default-src', 'script-src'];

const KEYWORDS = new Set(['self', 'none', 'unsafe-eval', 'unsafe-hashes', 'unsafe-inline', 'strict-dynamic', 'report-sample', 'wasm-unsafe-eval']);

/**
 * `kit.csp` directives with the license function's origin added to connect-src when the app
 * calls it on another origin (VITE_LICENSE_API set to an absolute URL).
 * @param {{ licenseApi?: string }} [options]
 * @returns {Record<string, string[]>}
 */
export function cspDirectives({ licenseApi } = {}) {
	const directives = Object.fromEntries(Object.entries(CSP_DIRECTIVES).map(([k, v]) => [k, [...v]]));
	if (licenseApi && /^https?:\/\//i.test(licenseApi)) {
		const origin = new URL(licenseApi).origin;
		if (!directives['connect-src'].includes(origin)) directives['connect-src'].push(origin);
	}
	return directives;
}

/**
 * A policy as a header value: `default-src 'self'; script-src ...`.
 * @param {Record<string, string[]>} directives
 * @param {string[]} [omit] directive names to leave out
 */
export function formatCsp(directives, omit = []) {
	return Object.entries(directives)
		.filter(([name]) => !omit.includes(name))
		.map(([name, sources]) => [name, ...sources.map((s) => (KEYWORDS.has(s) || /^(sha256|sha384|sha512|nonce)-/.test(s) ? `'${s}'` : s))].join(' '))
		.join('; ');
}

/** Features the app never uses, switched off for it and anything it could embed. */
export const PERMISSIONS_POLICY = [
	'accelerometer',
	'camera',
	'display-capture',
	'geolocation',
	'gyroscope',
	'hid',
	'magnetometer',
	'microphone',
	'midi',
	'payment',
	'serial',
	'usb'
]
	.map((feature) => `${feature}=()`)
	.join(', ');

/** Sent with every response. */
export const COMMON_HEADERS = {
	// SharedArrayBuffer (multi-threaded WebAssembly) needs a cross-origin isolated page.
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Embedder-Policy': 'require-corp',
	'X-Content-Type-Options': 'nosniff',
	'Referrer-Policy': 'no-referrer',
	'Permissions-Policy': PERMISSIONS_POLICY
};

/**
 * Every security header of one response. A page (HTML) gets the policy without the directives
 * its <meta> policy holds; everything else — above all the workers' scripts, whose policy comes
 * from their own response — gets the whole policy.
 * @param {'page' | 'file'} kind
 * @param {Record<string, string[]>} [directives]
 * @returns {Record<string, string>}
 */
export function securityHeaders(kind, directives = CSP_DIRECTIVES) {
	return { ...COMMON_HEADERS, 'Content-Security-Policy': formatCsp(directives, kind === 'page' ? META_ONLY : []) };
}

/** Content types a static host may not know. */
export const CONTENT_TYPES = {
	// No media type is registered for ONNX models; they are read as bytes.
	'.onnx': 'application/octet-stream'
};

/**
 * static/_headers (Cloudflare Pages, Netlify) for these headers: pages and files alike get the
 * page policy from `/*`; the app's scripts add the whole policy (a host joins the two values with
 * a comma: both policies apply, so the stricter whole one governs the workers).
 */
export function headersFile() {
	const block = (/** @type {string} */ path, /** @type {Record<string, string>} */ headers) =>
		[path, ...Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`)].join('\n');
	const whole = { 'Content-Security-Policy': formatCsp(CSP_DIRECTIVES) };
	return [
		'# Generated from src/lib/security/headers.js (tests/unit/security-headers.test.ts checks it): edit there, then copy',
		'# headersFile() here. Cloudflare Pages and Netlify read this file; nginx and others: docs/hosting.md.',
		block('/*', securityHeaders('page')),
		block('/_app/*', whole),
		block('/service-worker.js', whole),
		...Object.entries(CONTENT_TYPES).map(([ext, type]) => block(`/*${ext}`, { 'Content-Type': type }))
	].join('\n') + '\n';
}

/**
 * The same headers for nginx (docs/hosting.md shows this; tests/unit/security-headers.test.ts
 * keeps it equal): a `map` choosing the page or whole policy by path, for the http block, and the
 * `add_header` lines for every location that serves the app (nginx drops inherited add_header
 * lines in a location that has its own, so the lines go into one include file).
 */
export function nginxConf() {
	const q = (/** @type {string} */ v) => `"${v.replace(/"/g, '\\"')}"`;
	const map = [
		'# http { … }: the page policy for documents (their <meta> adds script-src with the bootstrap hash), the whole one for everything else',
		'map $uri $stemsafe_csp {',
		`    default           ${q(formatCsp(CSP_DIRECTIVES))};`,
		`    ~/$               ${q(securityHeaders('page')['Content-Security-Policy'])};`,
		`    ~\\.html$          ${q(securityHeaders('page')['Content-Security-Policy'])};`,
		`    ~/[^/.]+$         ${q(securityHeaders('page')['Content-Security-Policy'])};`,
		'}'
	];
	const include = [
		'# /etc/nginx/snippets/stemsafe-headers.conf',
		...Object.entries(COMMON_HEADERS).map(([k, v]) => `add_header ${k} ${q(v)} always;`),
		'add_header Content-Security-Policy $stemsafe_csp always;'
	];
	return `${map.join('\n')}\n\n${include.join('\n')}\n`;
}
