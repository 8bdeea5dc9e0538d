// What /api/* answers when scripts/serve.mjs runs without a license service behind it (npm start,
// no LICENSE_API_PROXY): a plain statement that purchases are not available in this local mode,
// in the license function's error format, which the app shows as it is (instead of "404").

export const LOCAL_MODE_CODE = 'local_mode';

export const LOCAL_MODE_MESSAGE =
	'Purchases are not available in this local copy: npm start runs the app without the license service. ' +
	'Everything else works as in the free version.';

/** @param {import('node:http').ServerResponse} res */
export function answerLocalMode(res) {
	res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
	res.end(JSON.stringify({ error: { code: LOCAL_MODE_CODE, message: LOCAL_MODE_MESSAGE } }));
}
