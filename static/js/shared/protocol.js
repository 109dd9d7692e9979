/* The protocol's names, mirrored from havana/protocol.py (tests/test_protocol_js.py keeps them equal). */
import { t } from "./i18n.js";

/** Socket.IO event names; each key is the constant's name in havana/protocol.py. */
export const EVENTS = Object.freeze({
  // client -> server
  STUDENT_CONNECT: "student_connect",
  STUDENT_MESSAGE: "student_message",
  STUDENT_TYPING: "student_typing",
  RATE_CHAT: "rate_chat",
  SET_LANGUAGE: "set_language",
  SAVE_CONTACT: "save_contact",
  ADMIN_CONNECT: "admin_connect",
  ADMIN_MESSAGE: "admin_message",
  ADMIN_DISCONNECT_FROM_CHAT: "admin_disconnect_from_chat",
  ADMIN_TYPING: "admin_typing",
  TOGGLE_HUMAN_ENABLED: "toggle_human_enabled",
  SET_AVAILABILITY: "set_availability",
  CLOSE_CHAT: "close_chat",
  REOPEN_CHAT: "reopen_chat",
  // server -> client
  NEW_MESSAGE: "new_message",
  CHAT_CREATED: "chat_created", // to the desk; an older server also sent it to the student
  MESSAGE_DELTA: "message_delta",
  TYPING: "typing",
  ESCALATION_TRIGGERED: "escalation_triggered",
  HUMAN_ENABLED_CHANGED: "human_enabled_changed",
  BOOKING_CONFIRMED: "booking_confirmed",
  BOOKING_CANCELLED: "booking_cancelled",
  BOOKING_HELD: "booking_held",
  CONTACT_SAVED: "contact_saved",
  CALL_UPDATED: "call_updated",
  ADMIN_STATUS_CHANGED: "admin_status_changed",
  MODEL_CHANGED: "model_changed",
  BRIEF_READY: "brief_ready",
  QUEUE_STATUS: "queue_status",
  AVAILABILITY_CHANGED: "availability_changed",
  CANNED_CHANGED: "canned_changed",
  KNOWLEDGE_CHANGED: "knowledge_changed",
  CHAT_CLOSED: "chat_closed",
  CHAT_REOPENED: "chat_reopened",
  CHAT_RATED: "chat_rated",
  CHAT_LANGUAGE: "chat_language",
  ERROR: "error",
});

/**
 * Events the server is retiring: the student page works from the student_connect ack alone, and
 * only tolerates these while an older server still sends them. They may or may not be in protocol.py.
 */
export const LEGACY_EVENTS = Object.freeze({
  STUDENT_CONNECTED: "student_connected",
});

/** A chat's one status (db/schema.py CHAT_STATUSES). */
export const STATUS = Object.freeze({
  AI: "ai",
  WAITING_HUMAN: "waiting_human",
  HUMAN: "human",
  CLOSED: "closed",
});

/** Who wrote a message (db/schema.py ROLES). */
export const ROLE = Object.freeze({
  STUDENT: "human",
  AI: "ai",
  OPERATOR: "human_operator",
  SYSTEM: "system",
});

/** Error codes a refused request carries (havana/errors.py and the services' ClientErrors). */
export const ERROR = Object.freeze({
  INVALID_PAYLOAD: "invalid_payload",
  MESSAGE_EMPTY: "message_empty",
  MESSAGE_TOO_LONG: "message_too_long",
  CHAT_NOT_FOUND: "chat_not_found",
  NOT_FOUND: "not_found",
  FORBIDDEN: "forbidden",
  RATE_LIMITED: "rate_limited",
  TOO_MANY_CHATS: "too_many_chats",
  UNAVAILABLE: "unavailable",
  INTERNAL: "internal",
  TAKEN: "taken",
  NOT_CLOSED: "not_closed",
  NOT_CONFIGURED: "not_configured",
  DUPLICATE: "duplicate",
  INVALID_CONTACT: "invalid_contact",
  EMAIL_HAS_BOOKING: "email_has_booking",
  TOO_EARLY: "too_early",
});

const STATUSES = Object.values(STATUS);

/** The chat's status; a payload from an older server may carry only is_human_enabled. */
export function statusOf(data, fallback = STATUS.AI) {
  if (data && STATUSES.includes(data.status)) return data.status;
  if (data && typeof data.is_human_enabled === "boolean") return data.is_human_enabled ? STATUS.HUMAN : fallback;
  return fallback;
}

// What a refusal means, in the page's language; codes not listed keep the server's own words.
const ERROR_TEXT = {
  [ERROR.MESSAGE_EMPTY]: t("Please write a message first."),
  [ERROR.MESSAGE_TOO_LONG]: t("Your message is too long. Please shorten it."),
  [ERROR.CHAT_NOT_FOUND]: t("This chat does not exist."),
  [ERROR.RATE_LIMITED]: t("You're sending messages too quickly. Please wait a moment."),
  [ERROR.TOO_MANY_CHATS]: t("This window has opened too many chats. Please reload the page."),
  [ERROR.UNAVAILABLE]: t("We couldn't save that right now. Please try again in a moment."),
  [ERROR.INTERNAL]: t("Something went wrong on our side. Nothing was changed."),
  [ERROR.NOT_CLOSED]: t("You can rate the conversation once it is closed."),
};

/** {code, message} of a failed ack or REST body, with a generic message when it has none. */
export function errorOf(ackOrBody) {
  const error = ackOrBody && ackOrBody.error;
  const code = (error && error.code) || ERROR.INTERNAL;
  return {
    code,
    message: ERROR_TEXT[code] || (error && error.message) || t("Something went wrong. Please try again."),
  };
}
