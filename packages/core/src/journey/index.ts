export * from "./types.js";
export { assertTouchId, journeyKeys } from "./keys.js";
export { CATCH_UP_HOURS, occurrenceOf } from "./triggers.js";
export { writeTouch, type TouchOutcome } from "./write.js";
export { runningJourneys } from "./campaigns.js";
export { journeysJob, type JourneysSnapshot, type CampaignRun } from "./job.js";
export { deliveryEventId, findTouch, getTouches, listMemberTouches, listOutbox, reportTouchDelivery, reportTouchFailure, reportTouchSent, type OutboxFilter } from "./outbox.js";
