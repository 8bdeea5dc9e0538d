// @ts-nocheck -- an AudioWorklet module: its globals (registerProcessor, sampleRate, currentTime) are not in TypeScript's DOM library.
/**
 * Loaded into the AudioWorklet scope BEFORE signalsmith-stretch's own module (stretch-player.ts):
 * when that module registers its processor, this registers a subclass under the same name instead,
 * whose process() is the library's (signalsmith-stretch 1.3.2, MIT, Geraint Luff) with two fixes:
 *  - buffer mode read past the first queued buffer wrongly (its copy loop lost its place), so a
 *    node fed buffer by buffer — the library's documented streaming use, ours — threw a RangeError
 *    as soon as a second buffer was queued and the read position was past the first one's start;
 *  - a node made without inputs threw on every block (inputList[0] is undefined then);
 *  - a change of channel count called configure() unbound.
 * Everything else (WASM set-up, time map, schedule, addBuffers/dropBuffers) is the library's.
 */
const registerOriginal = globalThis.registerProcessor;

globalThis.registerProcessor = (name, Processor) => {
	if (name !== 'signalsmith-stretch') return registerOriginal(name, Processor);
	class FixedStretchProcessor extends Processor {
		process(inputList, outputList, parameters) {
			if (!this.wasmReady) {
				outputList.forEach(output => {
					output.forEach(channel => {
						channel.fill(0);
					});
				});
				return true;
			}
			if (!outputList[0]?.length) return false;

			let outputTime = currentTime + this.outputLatencySeconds;
			while (this.timeMap.length > 1 && this.timeMap[1].output <= outputTime) {
				this.timeMap.shift();
			}
			let currentMapSegment = this.timeMap[0];

			let wasmModule = this.wasmModule;
			wasmModule._setTransposeSemitones(currentMapSegment.semitones, currentMapSegment.tonalityHz/sampleRate);
			wasmModule._setFormantSemitones(currentMapSegment.formantSemitones, currentMapSegment.formantCompensation);
			wasmModule._setFormantBase(currentMapSegment.formantBaseHz/sampleRate);

			// Check the input/output channel counts
			if (outputList[0].length != this.channels) {
				this.channels = outputList[0]?.length || 0;
				this.configure(); // (fixed: was an unbound call)
			}
			let outputBlockSize = outputList[0][0].length;

			let memory = wasmModule.exports ? wasmModule.exports.memory.buffer : wasmModule.HEAP8.buffer;
			// Buffer list (one per channel)
			let inputs = inputList[0] || [];
			if (!currentMapSegment.active) {
				outputList[0].forEach((_, c) => {
					let channelBuffer = inputs[c%inputs.length];
					let buffer = new Float32Array(memory, this.buffersIn[c], outputBlockSize);
					buffer.fill(0);
				});
				// Should detect silent input and skip processing
				wasmModule._process(outputBlockSize, outputBlockSize);
			} else if (inputs?.length) {
				// Live input
				outputList[0].forEach((_, c) => {
					let channelBuffer = inputs[c%inputs.length];
					let buffer = new Float32Array(memory, this.buffersIn[c], outputBlockSize);
					if (channelBuffer) {
						buffer.set(channelBuffer);
					} else {
						buffer.fill(0);
					}
				})
				wasmModule._process(outputBlockSize, outputBlockSize);
			} else {
				let inputTime = currentMapSegment.input + (outputTime - currentMapSegment.output)*currentMapSegment.rate;
				let loopLength = currentMapSegment.loopEnd - currentMapSegment.loopStart;
				if (loopLength > 0 && inputTime >= currentMapSegment.loopEnd) {
					currentMapSegment.input -= loopLength;
					inputTime -= loopLength;
				}
			
				inputTime += this.inputLatencySeconds;
				let inputSamplesEnd = Math.round(inputTime*sampleRate);

				// Fill the buffer with previous input
				let buffers = outputList[0].map((_, c) => new Float32Array(memory, this.buffersIn[c], this.bufferLength));

				let blockSamples = 0; // current write position in the temporary input buffer
				let audioBufferIndex = 0;
				let audioSamples = this.audioBuffersStart; // start of current audio buffer
				// zero-pad until the start of the audio data
				let inputSamples = inputSamplesEnd - this.bufferLength;
				if (inputSamples < audioSamples) {
					blockSamples = audioSamples - inputSamples;
					buffers.forEach(b => b.fill(0, 0, blockSamples));
					inputSamples = audioSamples;
				}
				// (fixed: the library's loop lost its place after the first buffer it copied from, and a
				// following buffer then overran the block: RangeError as soon as two buffers were queued)
				while (audioBufferIndex < this.audioBuffers.length && inputSamples < inputSamplesEnd) {
					let audioBuffer = this.audioBuffers[audioBufferIndex];
					let bufferEnd = audioSamples + audioBuffer[0].length;
					if (bufferEnd > inputSamples) {
						let startIndex = inputSamples - audioSamples; // start index within the audio buffer
						let count = Math.min(bufferEnd, inputSamplesEnd) - inputSamples;
						buffers.forEach((buffer, c) => {
							let channelBuffer = audioBuffer[c%audioBuffer.length];
							buffer.set(channelBuffer.subarray(startIndex, startIndex + count), blockSamples);
						});
						inputSamples += count;
						blockSamples += count;
					}
					audioSamples = bufferEnd;
					++audioBufferIndex;
				}
				if (blockSamples < this.bufferLength) {
					buffers.forEach(buffer => buffer.subarray(blockSamples).fill(0));
				}

				// constantly seeking, so we don't have to worry about the input buffers needing to be a rate-dependent size
				wasmModule._seek(this.bufferLength, currentMapSegment.rate);
				wasmModule._process(0, outputBlockSize);

				this.timeIntervalCounter -= outputBlockSize;
				if (this.timeIntervalCounter <= 0) {
					this.timeIntervalCounter = this.timeIntervalSamples;
					this.port.postMessage(['time', inputTime]);
				}
			}
		
			// Re-fetch in case the memory changed (even though there *shouldn't* be any allocations)
			memory = wasmModule.exports ? wasmModule.exports.memory.buffer : wasmModule.HEAP8.buffer;
			outputList[0].forEach((channelBuffer, c) => {
				let buffer = new Float32Array(memory, this.buffersOut[c], outputBlockSize);
				channelBuffer.set(buffer);
			});
		
			return true;
		}
	}
	registerOriginal(name, FixedStretchProcessor);
};

// an ES module (AudioWorklet modules are), with nothing to export
export {};
