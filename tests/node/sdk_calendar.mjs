// Drives grants, calendars, events and free/busy with the official Node SDK against Slotwise.
// Env: NYLAS_SDK_DIR (folder holding node_modules/nylas), SLOTWISE_URL, SLOTWISE_API_KEY.
// Prints one JSON object with what the SDK returned; the Python test asserts on it.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const entry = join(process.env.NYLAS_SDK_DIR, "node_modules", "nylas", "lib", "esm", "nylas.js");
const { default: Nylas } = await import(pathToFileURL(entry).href);
const nylas = new Nylas({ apiKey: process.env.SLOTWISE_API_KEY, apiUri: process.env.SLOTWISE_URL });

const T0 = 1767261600;
const HOUR = 3600;
const DAY = 86400;
const out = {};

const grant = (
  await nylas.auth.customAuthentication({
    requestBody: { provider: "virtual-calendar", settings: { email: "node@example.com" } },
  })
).data;
out.grant = { id: grant.id, email: grant.email, provider: grant.provider };
out.grantList = (await nylas.grants.list({ queryParams: { limit: 5 } })).data.map((g) => g.email);
out.grantFound = (await nylas.grants.find({ grantId: grant.id })).data.email;
out.grantUpdated = (
  await nylas.grants.update({ grantId: grant.id, requestBody: { scope: ["calendar"] } })
).data.scope;

// The email as identifier: the SDK percent-encodes it in the path.
const identifier = "node@example.com";
const cal = (
  await nylas.calendars.create({
    identifier,
    requestBody: { name: "Node", timezone: "Europe/Paris", metadata: { team: "js" } },
  })
).data;
out.calendar = { name: cal.name, timezone: cal.timezone, grantId: cal.grantId };
out.primary = (await nylas.calendars.find({ identifier, calendarId: "primary" })).data.isPrimary;
out.calendarUpdated = (
  await nylas.calendars.update({
    identifier,
    calendarId: cal.id,
    requestBody: { name: "Node 2", hexColor: "#abcdef" },
  })
).data;
out.calendarsByMeta = (
  await nylas.calendars.list({ identifier, queryParams: { metadataPair: { team: "js" } } })
).data.map((c) => c.name);

const queryParams = { calendarId: cal.id };
const single = (
  await nylas.events.create({
    identifier,
    queryParams,
    requestBody: {
      title: "Review",
      when: { startTime: T0, endTime: T0 + HOUR },
      participants: [{ email: "p@example.com", phoneNumber: "123" }],
      metadata: { key2: "beta", other: "x" },
    },
  })
).data;
out.single = { when: single.when, participants: single.participants };
const series = (
  await nylas.events.create({
    identifier,
    queryParams,
    requestBody: {
      title: "Weekly",
      when: { startTime: T0 + 2 * HOUR, endTime: T0 + 3 * HOUR },
      recurrence: ["RRULE:FREQ=WEEKLY;COUNT=2"],
    },
  })
).data;
const windowParams = { calendarId: cal.id, start: T0 - DAY, end: T0 + 30 * DAY };
out.listed = (await nylas.events.list({ identifier, queryParams: windowParams })).data.map((e) => ({
  title: e.title,
  start: e.when.startTime,
  master: e.masterEventId ?? null,
}));
out.seriesId = series.id;
out.byMeta = (
  await nylas.events.list({
    identifier,
    queryParams: { ...windowParams, metadataPair: { key2: "beta", other: "x" } },
  })
).data.map((e) => e.title);
out.filtered = (
  await nylas.events.list({ identifier, queryParams: { ...windowParams, title: "week" } })
).data.length;
out.found = (await nylas.events.find({ identifier, eventId: single.id, queryParams })).data.title;
out.updated = (
  await nylas.events.update({
    identifier,
    eventId: single.id,
    queryParams,
    requestBody: { title: "Review 2" },
  })
).data.title;
await nylas.events.sendRsvp({ identifier, eventId: single.id, queryParams, requestBody: { status: "maybe" } });
out.freeBusy = (
  await nylas.calendars.getFreeBusy({
    identifier,
    requestBody: { startTime: T0 - HOUR, endTime: T0 + 4 * HOUR, emails: [identifier, "x@nowhere.example"] },
  })
).data;
await nylas.events.destroy({ identifier, eventId: single.id, queryParams });
out.afterDelete = (await nylas.events.list({ identifier, queryParams: windowParams })).data.length;
await nylas.calendars.destroy({ identifier, calendarId: cal.id });
try {
  await nylas.calendars.find({ identifier, calendarId: cal.id });
  out.missing = null;
} catch (err) {
  out.missing = { status: err.statusCode, type: err.type, requestId: err.requestId ?? null };
}
await nylas.grants.destroy({ grantId: grant.id });
out.grantsLeft = (await nylas.grants.list()).data.length;
console.log(JSON.stringify(out));
