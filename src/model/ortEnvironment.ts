/**
 * Process-wide settings onnxruntime reads from the environment when it creates its first session.
 *
 * Telemetry is switched off. onnxruntime-node 1.30 on Linux starts a telemetry client (the 1DS
 * SDK, which would post to a Microsoft collector) at the first session. It parses
 * /proc/self/cmdline with a recursive std::regex, one stack frame per character, so a command
 * line of about 29 KB or more (700 absolute paths to `las transcribe`) overflows the stack and
 * the process dies with SIGSEGV inside InferenceSession.create. With telemetry off the command
 * line is never read. The toolkit is offline anyway. A value the user set is left alone.
 */
export function prepareOrtEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  if (env.ORT_DISABLE_TELEMETRY === undefined) env.ORT_DISABLE_TELEMETRY = '1';
}
