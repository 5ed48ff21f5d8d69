// Drives v2 Scheduling Pages with the official Node SDK v6 (nylas@6.8.0) against Slotwise.
// Stdin: {"url", "token", "tokens", "page"}; NODE_PATH holds the SDK. The only change an app
// makes is the host: the SDK hard-codes the hosted scheduler's host on its scheduler collection
// and on every page object (`baseUrl`), so both are pointed at Slotwise. The SDK sends the
// access token as Basic auth. Prints one JSON object with what the SDK returned.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(process.env.NODE_PATH + "/");
const nylasModule = require("nylas");
const Nylas = nylasModule.default ?? nylasModule;
const Scheduler = require("nylas/lib/models/scheduler").default;
const SchedulerBookingRequest = require("nylas/lib/models/scheduler-booking-request").default;

const spec = JSON.parse(readFileSync(0, "utf8"));
Nylas.config({ clientId: "slotwise-app", clientSecret: "slotwise-secret", apiServer: spec.url });
const nylas = Nylas.with(spec.token);
nylas.scheduler.baseUrl = spec.url;
const out = {};

const page = new Scheduler(nylas).fromJSON({
  name: spec.page.name,
  slug: spec.page.slug,
  access_tokens: spec.tokens,
  config: spec.page.config,
});
page.baseUrl = spec.url;
await page.save();
out.created = { id: page.id, editToken: page.editToken, slug: page.slug };

out.listed = (await nylas.scheduler.list()).map((p) => p.id);
const found = await nylas.scheduler.find(page.id);
out.got = { slug: found.slug, config: found.config.toJSON() };

const slots = await nylas.scheduler.getAvailableTimeSlots(page.slug);
const slot = slots[0];
out.slot = { start: Math.floor(slot.start.getTime() / 1000), accountId: slot.accountId };
const request = new SchedulerBookingRequest({
  name: "Node Guest",
  email: "node-guest@example.com",
  timezone: "America/New_York",
  locale: "en",
  slot,
  additionalValues: {},
  additionalEmails: [],
});
const booked = await nylas.scheduler.bookTimeSlot(page.slug, request);
out.booked = {
  accountId: booked.accountId,
  editHash: booked.editHash,
  isConfirmed: booked.isConfirmed,
  recipientEmail: booked.recipientEmail,
};
console.log(JSON.stringify(out));
