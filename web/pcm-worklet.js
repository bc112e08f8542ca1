// Runs on the audio rendering thread: collects the microphone's samples (down-mixed to mono)
// into blocks of `blockSize` and posts each block to the page, which sends it to the server.
class PcmCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.blockSize = options.processorOptions.blockSize;
    this.block = new Float32Array(this.blockSize);
    this.filled = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (channels === undefined || channels.length === 0) return true;
    const frames = channels[0].length;
    for (let i = 0; i < frames; i++) {
      let sum = 0;
      for (let c = 0; c < channels.length; c++) sum += channels[c][i];
      this.block[this.filled++] = sum / channels.length;
      if (this.filled === this.blockSize) {
        // Transferred, not copied: the next block gets a fresh buffer.
        this.port.postMessage(this.block, [this.block.buffer]);
        this.block = new Float32Array(this.blockSize);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('pcm-capture', PcmCapture);
