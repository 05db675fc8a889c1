// transformers.js baseline worker for bench/compare.sh.
//
// Usage: node worker.mjs MODEL_DIR ONNX_FILE_STEM MAX_LENGTH THREADS
//   MODEL_DIR       a Hugging Face layout folder (config.json, tokenizer.json, onnx/<stem>.onnx)
//   ONNX_FILE_STEM  model | model_qint8 (file name under onnx/, without .onnx)
//   MAX_LENGTH      total tokens per pair after longest-first truncation, specials included
//   THREADS         ONNX Runtime intra-op threads
//
// Speaks the same line protocol as the Java workers (dev.winnow.bench.Worker): one JSON request per
// stdin line, one JSON answer per stdout line.
//   {"op":"score","query":Q,"docs":[...]} -> {"logits":[...],"nanos":T,"cpuNanos":C,"real":R,"padded":P}
//   {"op":"resetPeak"} -> {"ok":true}     {"op":"peak"} -> {"peakRssKb":K}     {"op":"quit"}
// "nanos" is the wall time of tokenization + inference inside this process (no pipe, no JSON),
// "cpuNanos" the CPU time of the whole process meanwhile (all threads).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { env, AutoTokenizer, AutoModelForSequenceClassification } from '@huggingface/transformers';

const [modelDir, stem, maxLengthArg, threadsArg] = process.argv.slice(2);
if (!modelDir || !stem || !maxLengthArg || !threadsArg) {
  console.error('usage: node worker.mjs MODEL_DIR ONNX_FILE_STEM MAX_LENGTH THREADS');
  process.exit(2);
}
const threads = Number.parseInt(threadsArg, 10);
const maxLength = Number.parseInt(maxLengthArg, 10);

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(modelDir)) + path.sep;
const modelId = path.basename(path.resolve(modelDir));

const tokenizer = await AutoTokenizer.from_pretrained(modelId);
const model = await AutoModelForSequenceClassification.from_pretrained(modelId, {
  device: 'cpu',
  dtype: 'fp32',
  model_file_name: stem,
  session_options: { intraOpNumThreads: threads, interOpNumThreads: 1 },
});

function peakRssKb() {
  const m = fs.readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) : -1;
}

async function score(query, docs) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const inputs = tokenizer(new Array(docs.length).fill(query), {
    text_pair: docs,
    padding: true,
    truncation: true,
    max_length: maxLength,
  });
  const { logits } = await model(inputs);
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  const mask = inputs.attention_mask;
  const [rows, cols] = mask.dims;
  let real = 0;
  for (let i = 0; i < rows * cols; i++) real += Number(mask.data[i]);
  const cpuNanos = (c1.user + c1.system) * 1000;
  return { logits: Array.from(logits.data), nanos: Number(t1 - t0), cpuNanos, real, padded: rows * cols };
}

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
out({ ready: true, name: 'transformers.js' });
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  const req = JSON.parse(line);
  try {
    if (req.op === 'score') out(await score(req.query, req.docs));
    else if (req.op === 'resetPeak') { fs.writeFileSync('/proc/self/clear_refs', '5'); out({ ok: true }); }
    else if (req.op === 'peak') out({ peakRssKb: peakRssKb() });
    else if (req.op === 'quit') break;
    else out({ error: `unknown op '${req.op}'` });
  } catch (e) {
    out({ error: String(e && e.stack ? e.stack : e) });
  }
}
process.exit(0);
