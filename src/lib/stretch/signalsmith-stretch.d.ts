// signalsmith-stretch ships no types: its default export is the page's node factory (playback/stretch-player.ts
// types what it uses); in an AudioWorklet-like scope importing it registers the processor (stretch/wasm.ts).
declare module 'signalsmith-stretch' {
	const SignalsmithStretch: unknown;
	export default SignalsmithStretch;
}
