// Drives configurations, sessions, scheduling availability and bookings with the official Node
// SDK against Slotwise. Env: NYLAS_SDK_DIR, SLOTWISE_URL, SLOTWISE_API_KEY, SLOT_DAY (Unix s).
// Prints one JSON object with what the SDK returned; the Python test asserts on it.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const entry = join(process.env.NYLAS_SDK_DIR, "node_modules", "nylas", "lib", "esm", "nylas.js");
const { default: Nylas } = await import(pathToFileURL(entry).href);
const nylas = new Nylas({ apiKey: process.env.SLOTWISE_API_KEY, apiUri: process.env.SLOTWISE_URL });
const day = Number(process.env.SLOT_DAY);
const out = {};

const grant = (
  await nylas.auth.customAuthentication({
    requestBody: { provider: "virtual-calendar", settings: { email: "node@example.com" } },
  })
).data;
const identifier = grant.id;

const requestBody = {
  requiresSessionAuth: true,
  participants: [
    {
      email: "node@example.com",
      name: "Node Host",
      isOrganizer: true,
      availability: { calendarIds: ["primary"] },
      booking: { calendarId: "primary" },
    },
  ],
  availability: {
    durationMinutes: 30,
    availabilityRules: {
      availabilityMethod: "collective",
      defaultOpenHours: [
        { days: [0, 1, 2, 3, 4, 5, 6], timezone: "UTC", start: "9:00", end: "12:00", exdates: [] },
      ],
    },
  },
  eventBooking: { title: "Node intro", timezone: "UTC" },
  scheduler: {
    minBookingNotice: 0,
    additionalFields: { companyName: { label: "Company", type: "text", required: true } },
  },
};
const config = (await nylas.scheduler.configurations.create({ identifier, requestBody })).data;
out.config = {
  id: config.id,
  requiresSessionAuth: config.requiresSessionAuth,
  fields: Object.keys(config.scheduler.additionalFields),
  method: config.availability.availabilityRules.availabilityMethod,
};
out.listed = (await nylas.scheduler.configurations.list({ identifier })).data.map((c) => c.id);
out.found = (await nylas.scheduler.configurations.find({ identifier, configurationId: config.id }))
  .data.eventBooking.title;
out.updated = (
  await nylas.scheduler.configurations.update({
    identifier,
    configurationId: config.id,
    requestBody: { eventBooking: { title: "Node intro 2", timezone: "UTC" } },
  })
).data.eventBooking.title;

const session = (
  await nylas.scheduler.sessions.create({
    requestBody: { configurationId: config.id, timeToLive: 10 },
  })
).data;
out.session = Boolean(session.sessionId);
const asGuest = { apiKey: session.sessionId };

const availability = (
  await nylas.scheduler.availability.get({
    queryParams: { startTime: day, endTime: day + 86400 },
    overrides: asGuest,
  })
).data;
out.slots = availability.timeSlots.length;
out.order = availability.order;
const [first, second] = availability.timeSlots;
out.firstSlot = { startTime: first.startTime, endTime: first.endTime, emails: first.emails };

const booking = (
  await nylas.scheduler.bookings.create({
    requestBody: {
      startTime: first.startTime,
      endTime: first.endTime,
      guest: { email: "guest@example.com", name: "Guest" },
      additionalFields: { companyName: "Acme" },
    },
    overrides: asGuest,
  })
).data;
out.booking = { status: booking.status, organizer: booking.organizer.email, ref: booking.bookingRef };

try {
  await nylas.scheduler.bookings.create({
    requestBody: {
      startTime: first.startTime,
      endTime: first.endTime,
      guest: { email: "late@example.com", name: "Late" },
      additionalFields: { companyName: "Acme" },
    },
    overrides: asGuest,
  });
  out.taken = null;
} catch (err) {
  out.taken = { status: err.statusCode, type: err.type, message: err.message };
}

out.rescheduled = (
  await nylas.scheduler.bookings.reschedule({
    bookingId: booking.bookingId,
    requestBody: { startTime: second.startTime, endTime: second.endTime },
    overrides: asGuest,
  })
).data.bookingId === booking.bookingId;
const after = (
  await nylas.scheduler.availability.get({
    queryParams: { startTime: day, endTime: day + 86400 },
    overrides: asGuest,
  })
).data.timeSlots.map((s) => s.startTime);
out.freedAndTaken = { first: after.includes(first.startTime), second: after.includes(second.startTime) };
out.foundBooking = (
  await nylas.scheduler.bookings.find({ bookingId: booking.bookingId, overrides: asGuest })
).data.status;
await nylas.scheduler.bookings.destroy({
  bookingId: booking.bookingId,
  requestBody: { cancellationReason: "Changed plans" },
  overrides: asGuest,
});
out.cancelled = (
  await nylas.scheduler.bookings.find({ bookingId: booking.bookingId, overrides: asGuest })
).data.status;

await nylas.scheduler.sessions.destroy({ sessionId: session.sessionId });
try {
  await nylas.scheduler.availability.get({
    queryParams: { startTime: day, endTime: day + 86400 },
    overrides: asGuest,
  });
  out.afterSessionDeleted = null;
} catch (err) {
  out.afterSessionDeleted = { status: err.statusCode, type: err.type, requestId: err.requestId };
}
await nylas.scheduler.configurations.destroy({ identifier, configurationId: config.id });
out.configsLeft = (await nylas.scheduler.configurations.list({ identifier })).data.length;
console.log(JSON.stringify(out));
