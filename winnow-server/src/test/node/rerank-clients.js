// Drives a Winnow server with the official Cohere TypeScript SDK, v1 and v2 clients.
// Usage: node rerank-clients.js <input.json>; input: {baseUrl, token, query, documents, topN}.
// Prints one JSON object: the rankings each client received and how each reported a 422.
"use strict";
const fs = require("fs");
const { CohereClient, CohereClientV2 } = require("cohere-ai");

async function main() {
  const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const options = { token: input.token, environment: input.baseUrl };
  const v1 = new CohereClient(options);
  const v2 = new CohereClientV2(options);
  const out = {};

  const r1 = await v1.rerank({
    model: "winnow",
    query: input.query,
    documents: input.documents.map((text) => ({ text })),
    topN: input.topN,
    returnDocuments: true,
  });
  out.v1 = r1.results.map((r) => ({
    index: r.index,
    score: r.relevanceScore,
    text: r.document ? r.document.text : null,
  }));

  const r2 = await v2.rerank({
    model: "winnow",
    query: input.query,
    documents: input.documents,
    topN: input.topN,
  });
  out.v2 = r2.results.map((r) => ({ index: r.index, score: r.relevanceScore }));
  out.v2Version = r2.meta && r2.meta.apiVersion ? r2.meta.apiVersion.version : null;

  try {
    await v2.rerank({ model: "winnow", query: "", documents: ["a"] });
    out.emptyQuery = { status: 200 };
  } catch (e) {
    out.emptyQuery = {
      status: e.statusCode,
      kind: e.constructor.name,
      message: e.body && e.body.message,
    };
  }

  try {
    await new CohereClientV2({ token: "wrong", environment: input.baseUrl }).rerank({
      model: "winnow",
      query: "q",
      documents: ["a"],
    });
    out.wrongKey = { status: 200 };
  } catch (e) {
    out.wrongKey = { status: e.statusCode, kind: e.constructor.name };
  }

  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write("rerank-clients.js failed: " + (e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
