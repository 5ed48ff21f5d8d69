// Node SDK availability calls against a live Slotwise.
// Usage: SLOTWISE_URL=... SLOTWISE_API_KEY=... node availability.mjs < requests.json
// stdin holds a JSON list of camelCase request bodies, passed unchanged to
// nylas.calendars.getAvailability({ requestBody }). Prints one JSON line: per request,
// {"data": <the SDK's camelCase response data>} or {"error": <status>, "message": ...}.
import { createRequire } from "node:module";
import path from "node:path";
import { readFileSync } from "node:fs";

const require = createRequire(path.join(process.cwd(), "index.js"));
const Nylas = require("nylas").default ?? require("nylas");

const nylas = new Nylas({ apiKey: process.env.SLOTWISE_API_KEY, apiUri: process.env.SLOTWISE_URL });
const requests = JSON.parse(readFileSync(0, "utf8"));
const results = [];
for (const requestBody of requests) {
  try {
    const response = await nylas.calendars.getAvailability({ requestBody });
    results.push({ data: response.data, requestId: response.requestId });
  } catch (error) {
    results.push({ error: error.statusCode ?? null, message: String(error.message ?? error) });
  }
}
console.log(JSON.stringify(results));
