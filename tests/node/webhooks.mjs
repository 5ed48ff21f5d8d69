// Node SDK webhook calls against a live Slotwise: node webhooks.mjs <api-url> <api-key> <hook-url>
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.cwd(), "index.js"));
const Nylas = require("nylas").default ?? require("nylas");

const [apiUri, apiKey, webhookUrl] = process.argv.slice(2);
const nylas = new Nylas({ apiKey, apiUri });

const created = await nylas.webhooks.create({
  requestBody: {
    triggerTypes: ["booking.created", "booking.cancelled"],
    webhookUrl,
    description: "from node",
    notificationEmailAddresses: ["ops@example.com"],
  },
});
const id = created.data.id;
if (!created.data.webhookSecret) throw new Error("no secret on create");
const list = await nylas.webhooks.list();
const found = await nylas.webhooks.find({ webhookId: id });
if (found.data.description !== "from node") throw new Error("find mismatch");
const updated = await nylas.webhooks.update({
  webhookId: id,
  requestBody: { description: "renamed", triggerTypes: ["booking.created"] },
});
if (updated.data.description !== "renamed") throw new Error("update mismatch");
const rotated = await nylas.webhooks.rotateSecret({ webhookId: id });
const ips = await nylas.webhooks.ipAddresses();
if (!Array.isArray(ips.data.ipAddresses)) throw new Error("ip addresses");
const deleted = await nylas.webhooks.destroy({ webhookId: id });
const after = await nylas.webhooks.list();

console.log(
  JSON.stringify({
    created_status: created.data.status,
    secret_rotated:
      Boolean(rotated.data.webhookSecret) && rotated.data.webhookSecret !== created.data.webhookSecret,
    listed: list.data.length,
    deleted: deleted.data?.status,
    after_delete: after.data.length,
  }),
);
