// The server side of the soak (bench/soak.ts), in its own process so that its memory is the
// server's alone, and plain JavaScript so that no TypeScript loader (tsx adds about 37 MB of RSS)
// is counted: it loads the compiled package given as argv[2] (scripts/build.mjs --out), the
// bundle argv[3], serves streams on a free loopback port, and answers the parent over IPC:
// 'memory' with process.memoryUsage(), 'close' by closing the server and disposing of the model.
//
// LAS_SOAK_ORT_OPTIONS (JSON, e.g. {"enableCpuMemArena":false}) is merged into every ONNX
// session's options, to find where native memory goes; the product's own options are in
// src/model/sessionOptions.ts.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';

const [build, modelDir] = process.argv.slice(2);
const extra = JSON.parse(process.env.LAS_SOAK_ORT_OPTIONS ?? '{}');
if (Object.keys(extra).length > 0) {
  const create = ort.InferenceSession.create.bind(ort.InferenceSession);
  ort.InferenceSession.create = (path, options) => create(path, { ...options, ...extra });
}
const { loadModel } = await import(pathToFileURL(join(build, 'src/index.js')).href);
const { startServer } = await import(pathToFileURL(join(build, 'src/server/server.js')).href);

const send = (message) => process.send?.(message);
const model = await loadModel(modelDir);
const server = await startServer(model, { port: 0, maxStreams: 1 }, (m) => process.stderr.write(`soak server: ${m}\n`));
send({ type: 'listening', url: server.url, memory: process.memoryUsage() });
process.on('message', async (m) => {
  if (m.type === 'memory') send({ type: 'memory', memory: process.memoryUsage() });
  if (m.type === 'close') {
    try {
      await server.close();
    } finally {
      await model.dispose();
      process.disconnect();
    }
  }
});
