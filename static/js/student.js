/* Student chat page: one Socket.IO connection; this browser's chats live in localStorage. */
(function () {
  "use strict";

  const H = window.Havana;
  const CHATS_KEY = "havana.chats";
  const CURRENT_KEY = "havana.current";
  const MAX_STORED_CHATS = 20;
  const PREVIEW_LENGTH = 90;
  const TYPING_TIMEOUT_MS = 15000;
  const ACK_TIMEOUT_MS = 30000;
  const RETRY_JOIN_MS = 5000;
  const BANNER_HIDE_MS = 8000;
  const NEAR_BOTTOM_PX = 120;
  const COUNTER_FROM = 0.8;
  const GONE_CODES = ["chat_not_found", "forbidden"];
  const QUIET_EVENTS = ["student_typing"]; // best effort: a refusal is not worth a notice
  const TYPING_EVERY_MS = 2000;
  const TYPING_IDLE_MS = 5000;
  const COMMENT_MAX = 1000;
  const RATING_WORDS = ["Very poor", "Poor", "Okay", "Good", "Excellent"];
  const CONNECTION_TEXT = {
    connecting: "Connecting…", connected: "Connected", reconnecting: "Reconnecting…", offline: "Offline",
  };
  const BANNER_TEXT = {
    waiting: "You're being connected to an admissions advisor",
    queued: "An advisor will join shortly",
    unavailable: "No advisor is available right now. You can book a call instead.",
    joined: "An advisor has joined the chat",
    back: "You're back with the assistant",
  };

  const maxLength = parseInt(document.body.dataset.maxMessageLength, 10) || 2000;
  const assistantLabel = document.body.dataset.assistantLabel || "Assistant";
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const numberFormat = new Intl.NumberFormat();

  const byId = (id) => document.getElementById(id);
  const ui = {
    connection: byId("connection-status"),
    connectionText: byId("connection-text"),
    subtitle: byId("chat-subtitle"),
    advisorOnline: byId("advisor-online"),
    banner: byId("handoff-banner"),
    bannerText: byId("handoff-text"),
    bannerDetail: byId("handoff-detail"),
    bookingStrip: byId("booking-strip"),
    bookingStripText: byId("booking-strip-text"),
    notice: byId("notice"),
    noticeText: byId("notice-text"),
    noticeDismiss: byId("notice-dismiss"),
    scroller: byId("messages"),
    welcome: byId("welcome"),
    loading: byId("loading"),
    list: byId("message-list"),
    typing: byId("typing"),
    typingText: byId("typing-text"),
    pill: byId("new-messages"),
    announcer: byId("announcer"),
    form: byId("composer"),
    input: byId("composer-input"),
    feedback: byId("composer-feedback"),
    counter: byId("char-counter"),
    drawer: byId("chats-drawer"),
    drawerOpen: byId("chats-open"),
    drawerClose: byId("chats-close"),
    chatList: byId("chats-list"),
    chatsEmpty: byId("chats-empty"),
    newChat: [byId("new-chat"), byId("drawer-new-chat")],
  };

  /* ---------- this browser's chats ---------- */

  function storedChats() {
    const list = H.storage.getJSON(CHATS_KEY, []);
    if (!Array.isArray(list)) return [];
    return list.filter((c) => c && typeof c.chat_id === "string" && typeof c.token === "string");
  }

  function findChat(chatId) {
    return storedChats().find((c) => c.chat_id === chatId) || null;
  }

  /** Insert or update one chat record; new chats go to the top of the list. */
  function saveChat(chatId, fields) {
    const list = storedChats();
    const index = list.findIndex((c) => c.chat_id === chatId);
    if (index === -1) {
      if (typeof fields.token !== "string") return;
      list.unshift(Object.assign({ chat_id: chatId }, fields));
    } else {
      list[index] = Object.assign({}, list[index], fields);
    }
    H.storage.setJSON(CHATS_KEY, list.slice(0, MAX_STORED_CHATS));
  }

  function forgetChat(chatId) {
    H.storage.setJSON(CHATS_KEY, storedChats().filter((c) => c.chat_id !== chatId));
    if (H.storage.get(CURRENT_KEY) === chatId) H.storage.remove(CURRENT_KEY);
  }

  /* ---------- the chat on screen ---------- */

  let generation = 0;
  let view = null;
  const typingTimers = { assistant: 0, advisor: 0 };
  let bannerTimer = 0;

  /** Forget what is on screen and show chatId (or the welcome card when null). */
  function resetView(chatId) {
    studentTyping(false);
    view = {
      chatId: chatId,
      generation: ++generation,
      shownIds: new Set(),
      maxId: 0,
      pending: new Map(), // client_id -> {clientId, text, node, status, attempt, error}
      cards: new Set(),
      streams: new Map(), // stream_id -> the AI bubble being written
      finishedStreams: new Set(),
      rating: null, // {node, done} for the rating card of the latest close
      status: "ai",
      humanEnabled: false,
      advisorsOnline: 0,
      loaded: false,
    };
    if (chatId) H.storage.set(CURRENT_KEY, chatId);
    else H.storage.remove(CURRENT_KEY);
    ui.list.replaceChildren();
    setTyping("assistant", false);
    setTyping("advisor", false);
    hideBanner();
    showBookingStrip(null);
    updateSubtitle();
    clearFeedback();
    ui.pill.hidden = true;
    ui.welcome.hidden = Boolean(chatId);
    ui.loading.hidden = !chatId;
  }

  /** Apply a chat snapshot from student_connect (ack or student_connected). */
  function applyChat(chat, messages) {
    if (!chat || chat.id !== view.chatId) return;
    const firstLoad = !view.loaded;
    view.loaded = true;
    ui.loading.hidden = true;
    ui.welcome.hidden = true;
    view.status = chat.status || "ai";
    view.humanEnabled = Boolean(chat.is_human_enabled);
    updateSubtitle();
    if (view.status === "waiting_human" && !view.humanEnabled) showQueue(chat.queue);
    else clearQueue();
    setAdvisorsOnline(chat.advisors_online);
    setBooking(chat.booking || null);
    receive(Array.isArray(messages) ? messages : [], { announce: !firstLoad });
    if (view.status === "closed" && (chat.rating === null || chat.rating === undefined)) showRatingCard();
    else if (view.status !== "closed") dropRatingForm();
    if (firstLoad) scrollToBottom(false);
  }

  /** Add server messages in id order, skipping any already shown. */
  function receive(messages, options) {
    let fromOthers = false;
    messages
      .filter((m) => m && typeof m === "object")
      .sort((a, b) => Number(a.id) - Number(b.id))
      .forEach((msg) => {
        if (!addMessage(msg)) return;
        if (msg.role === "human") return;
        fromOthers = true;
        if (options.announce) announce(describe(msg));
      });
    if (following) scrollToBottom(true);
    else if (fromOthers) ui.pill.hidden = false;
  }

  function addMessage(msg) {
    if (msg.chat_id && msg.chat_id !== view.chatId) return false;
    const entry = msg.client_id ? view.pending.get(msg.client_id) : null;
    if (entry) settle(entry);
    const streamed = msg.stream_id ? finishStream(msg.stream_id) : false;
    const id = Number(msg.id);
    if (!Number.isFinite(id) || view.shownIds.has(id)) return false;
    view.shownIds.add(id);
    view.maxId = Math.max(view.maxId, id);
    const node = H.renderMessage(msg, { perspective: "student" });
    if (streamed) node.classList.add("msg--streamed"); // its text is on screen already: no entrance
    insertInOrder(node, id);
    if (msg.role === "ai") setTyping("assistant", false);
    if (msg.role === "human_operator") setTyping("advisor", false);
    ui.welcome.hidden = true;
    return true;
  }

  /** Keep id order; unsent bubbles always stay last. Cards (no id) go where they arrive. */
  function insertInOrder(node, id) {
    for (const child of ui.list.children) {
      const childId = child.dataset.id === undefined ? NaN : Number(child.dataset.id);
      if (child.classList.contains("msg--pending") || childId > id) {
        ui.list.insertBefore(node, child);
        return;
      }
    }
    ui.list.append(node);
  }

  function describe(msg) {
    if (msg.role === "ai") return (msg.model_label || "Assistant") + " says: " + msg.message;
    if (msg.role === "human_operator") return "Advisor says: " + msg.message;
    return msg.message;
  }

  /* ---------- the assistant's reply as it is written ---------- */

  function streamDelta(data) {
    const streamId = typeof data.stream_id === "string" ? data.stream_id : "";
    // A delta after its final message (say, from a slower process) must not leave a bubble behind.
    if (!streamId || view.finishedStreams.has(streamId)) return;
    let node = view.streams.get(streamId);
    if (data.reset) {
      // The text so far is dropped (a tool call follows, or another provider answers): still thinking.
      if (node) {
        node.remove();
        view.streams.delete(streamId);
        setTyping("assistant", true);
      }
      return;
    }
    if (typeof data.delta !== "string" || !data.delta) return;
    if (!node) {
      node = renderStreaming(streamId);
      view.streams.set(streamId, node);
      insertInOrder(node, Infinity);
      ui.welcome.hidden = true;
      if (!following) ui.pill.hidden = false;
    }
    const bubble = node.querySelector(".msg__bubble");
    bubble.textContent += data.delta;
    setTyping("assistant", false);
    if (following) scrollToBottom(false);
  }

  function renderStreaming(streamId) {
    const node = H.renderMessage({ role: "ai", message: "", model_label: assistantLabel }, { perspective: "student" });
    node.classList.add("msg--streaming");
    node.dataset.streamId = streamId;
    node.setAttribute("aria-busy", "true"); // the final message is announced, not every piece
    return node;
  }

  /** The final message of a stream arrived: drop its bubble. True when one was on screen. */
  function finishStream(streamId) {
    view.finishedStreams.add(streamId);
    const node = view.streams.get(streamId);
    view.streams.delete(streamId);
    if (node) node.remove();
    return Boolean(node);
  }

  /** Half-written replies lost with the connection; the reconnect brings the finished ones. */
  function dropStreams() {
    view.streams.forEach((node) => node.remove());
    view.streams.clear();
  }

  /* ---------- sending ---------- */

  function submitText(raw) {
    const text = String(raw).trim();
    const problem = validate(text);
    if (problem) {
      showFeedback(problem);
      return false;
    }
    clearFeedback();
    studentTyping(false);
    const entry = { clientId: H.newClientId(), text: text, node: null, status: "queued", attempt: 0, error: "" };
    entry.node = renderPending(entry);
    view.pending.set(entry.clientId, entry);
    ui.welcome.hidden = true;
    ui.list.append(entry.node);
    scrollToBottom(true);
    if (view.chatId) flushQueue();
    else createChat();
    renderPendingStatus(entry);
    return true;
  }

  function validate(text) {
    if (!text) return "Type a message before sending.";
    const length = countChars(text);
    if (length > maxLength) {
      return "Your message is " + numberFormat.format(length - maxLength) + " characters over the " +
        numberFormat.format(maxLength) + "-character limit. Please shorten it.";
    }
    return "";
  }

  /** Code points, like the server's len(). */
  function countChars(text) {
    return Array.from(text).length;
  }

  function flushQueue() {
    if (!socket || !socket.connected || !view.chatId || !joined.has(view.chatId)) return;
    view.pending.forEach((entry) => {
      if (entry.status === "queued") send(entry);
    });
  }

  function send(entry) {
    const attempt = ++entry.attempt;
    entry.status = "sending";
    renderPendingStatus(entry);
    const payload = { chat_id: view.chatId, message: entry.text, client_id: entry.clientId };
    request("student_message", payload, (err, ack) => {
      if (view.pending.get(entry.clientId) !== entry || entry.attempt !== attempt) return;
      if (err) {
        // A dropped connection re-queues the message; only a live, silent server is an error.
        if (socket.connected) fail(entry, "The server did not answer. Please try again.");
        return;
      }
      if (ack && ack.ok && ack.message) {
        settle(entry);
        receive([ack.message], { announce: false });
      } else if (errorOf(ack).code === "unavailable") {
        retrySoon(entry);
      } else {
        fail(entry, errorOf(ack).message);
      }
    });
  }

  /** The server could not store it (database down): keep it and try again, same client id. */
  function retrySoon(entry) {
    entry.status = "retrying";
    entry.retries = (entry.retries || 0) + 1;
    renderPendingStatus(entry);
    const delay = Math.min(15000, 1000 * 2 ** Math.min(entry.retries, 4));
    setTimeout(() => {
      if (view.pending.get(entry.clientId) !== entry || entry.status !== "retrying") return;
      entry.status = "queued";
      flushQueue();
    }, delay);
  }

  function fail(entry, text) {
    entry.status = "failed";
    entry.error = text;
    renderPendingStatus(entry);
    announce("Message not sent: " + text);
  }

  function retry(entry) {
    entry.status = "queued";
    renderPendingStatus(entry);
    if (view.chatId) flushQueue();
    else createChat();
    ui.input.focus();
  }

  /** The server has the message (or it is shown already): drop the local bubble. */
  function settle(entry) {
    entry.node.remove();
    view.pending.delete(entry.clientId);
  }

  function renderPending(entry) {
    const node = H.renderMessage({ role: "human", message: entry.text, client_id: entry.clientId }, { perspective: "student" });
    node.classList.add("msg--pending");
    const status = H.el("span", "msg__status");
    node.querySelector(".msg__meta").append(status);
    return node;
  }

  function renderPendingStatus(entry) {
    const meta = entry.node.querySelector(".msg__meta");
    const status = meta.querySelector(".msg__status");
    const retryButton = meta.querySelector(".msg__retry");
    if (retryButton) retryButton.remove();
    entry.node.classList.toggle("msg--failed", entry.status === "failed");
    if (entry.status === "failed") {
      status.textContent = entry.error || "Not sent.";
      const button = H.el("button", "msg__retry", "Retry");
      button.type = "button";
      button.setAttribute("aria-label", "Retry sending this message");
      button.addEventListener("click", () => retry(entry));
      meta.append(button);
    } else if (entry.status === "retrying") {
      status.textContent = "We couldn't save your message. Retrying…";
    } else if (entry.status === "queued" && (!socket || !socket.connected)) {
      status.textContent = "Waiting for connection…";
    } else {
      status.textContent = "Sending…";
    }
  }

  /* ---------- connection ---------- */

  const joined = new Set(); // chats this connection has joined
  let creating = null; // {gen} while a new chat is being created for view generation gen

  function joinChat() {
    const chatId = view.chatId;
    const record = findChat(chatId);
    if (!record) {
      resetView(null);
      return;
    }
    const payload = { chat_id: chatId, token: record.token };
    if (view.maxId) payload.last_message_id = view.maxId;
    const gen = view.generation;
    const retryLater = () => setTimeout(() => {
      if (gen === view.generation && socket.connected && !joined.has(chatId)) joinChat();
    }, RETRY_JOIN_MS);
    request("student_connect", payload, (err, ack) => {
      if (gen !== view.generation) return;
      if (err) {
        if (socket.connected) retryLater(); // otherwise "connect" joins again
        return;
      }
      if (ack && ack.ok) {
        joined.add(chatId);
        applyChat(ack.chat, ack.messages);
        flushQueue();
        return;
      }
      const error = errorOf(ack);
      if (GONE_CODES.includes(error.code)) {
        forgetChat(chatId);
        resetView(null);
        showNotice("That conversation is no longer available. You can start a new one below.");
        return;
      }
      showNotice(error.message);
      retryLater();
    });
  }

  function createChat() {
    if (creating || !socket || !socket.connected) return;
    const attempt = { gen: view.generation };
    creating = attempt;
    request("student_connect", {}, (err, ack) => {
      if (creating !== attempt) return; // a reconnect started over
      creating = null;
      if (attempt.gen !== view.generation) {
        // The student moved on ("New chat") meanwhile; serve the view now on screen.
        if (!view.chatId && view.pending.size) createChat();
        return;
      }
      if (err || !(ack && ack.ok && ack.chat)) {
        const message = err ? "The server did not answer. Please try again." : errorOf(ack).message;
        view.pending.forEach((entry) => fail(entry, message));
        return;
      }
      adoptChat(ack.chat.id, ack.token, ack.chat.created_at);
      joined.add(ack.chat.id);
      applyChat(ack.chat, ack.messages);
      flushQueue();
    });
  }

  /** Remember a just-created chat and make it the one on screen. */
  function adoptChat(chatId, token, startedAt) {
    if (!view.chatId) {
      view.chatId = chatId;
      H.storage.set(CURRENT_KEY, chatId);
    }
    if (view.chatId !== chatId) return;
    const first = view.pending.values().next().value;
    const fields = { token: token };
    if (!findChat(chatId)) {
      fields.started_at = startedAt || new Date().toISOString();
      fields.preview = first ? preview(first.text) : "";
    }
    saveChat(chatId, fields);
  }

  function preview(text) {
    const flat = text.replace(/\s+/g, " ");
    return flat.length > PREVIEW_LENGTH ? flat.slice(0, PREVIEW_LENGTH - 1) + "…" : flat;
  }

  function errorOf(ack) {
    const error = ack && ack.error;
    return {
      code: (error && error.code) || "internal",
      message: (error && error.message) || "Something went wrong. Please try again.",
    };
  }

  function setConnection(state) {
    ui.connection.dataset.state = state;
    ui.connectionText.textContent = CONNECTION_TEXT[state];
    if (view) view.pending.forEach((entry) => { if (entry.status === "queued") renderPendingStatus(entry); });
  }

  function disconnectedState() {
    return navigator.onLine === false ? "offline" : "reconnecting";
  }

  const socket = typeof window.io === "function" ? window.io({ reconnection: true }) : null;

  // Requests awaiting their ack. The server sends a refused request's `error` event just
  // before the failed ack, and the ack's handler shows it where it belongs.
  const awaiting = new Set();

  function request(event, payload, callback) {
    const entry = { event: event };
    awaiting.add(entry);
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, ack) => {
      awaiting.delete(entry);
      callback(err, ack);
    });
  }

  if (socket) {
    socket.on("connect", () => {
      joined.clear();
      creating = null;
      setConnection("connected");
      if (view.chatId) joinChat();
      else if (view.pending.size) createChat();
    });

    socket.on("disconnect", (reason) => {
      joined.clear();
      awaiting.clear();
      creating = null;
      studentTyping(false);
      setTyping("assistant", false);
      setTyping("advisor", false);
      dropStreams();
      view.pending.forEach((entry) => { if (entry.status === "sending") entry.status = "queued"; });
      setConnection(disconnectedState());
      // The client does not reconnect by itself after a server-side disconnect.
      if (reason === "io server disconnect") setTimeout(() => socket.connect(), RETRY_JOIN_MS);
    });

    socket.on("connect_error", () => setConnection(disconnectedState()));
    socket.io.on("reconnect_attempt", () => setConnection(disconnectedState()));
    window.addEventListener("offline", () => { if (!socket.connected) setConnection("offline"); });
    window.addEventListener("online", () => { if (!socket.connected) setConnection("reconnecting"); });

    socket.on("chat_created", (data) => {
      if (data && creating && creating.gen === view.generation && data.chat_id && data.token) {
        adoptChat(data.chat_id, data.token);
      }
    });

    socket.on("student_connected", (data) => {
      if (!data || !data.chat || data.chat.id !== view.chatId) return;
      joined.add(data.chat.id);
      applyChat(data.chat, data.messages);
      flushQueue();
    });

    socket.on("new_message", (msg) => {
      if (msg && msg.chat_id === view.chatId) receive([msg], { announce: true });
    });

    socket.on("message_delta", (data) => {
      if (isCurrent(data)) streamDelta(data);
    });

    socket.on("typing", (data) => {
      if (!isCurrent(data)) return;
      if (data.who === "assistant" || data.who === "advisor") setTyping(data.who, Boolean(data.typing));
    });

    socket.on("escalation_triggered", (data) => {
      if (!isCurrent(data)) return;
      view.status = data.status || "waiting_human";
      updateSubtitle();
      if (!view.humanEnabled) showQueue(null);
    });

    socket.on("queue_status", (data) => {
      if (isCurrent(data)) showQueue(data);
    });

    socket.on("human_enabled_changed", (data) => {
      if (!isCurrent(data)) return;
      view.humanEnabled = Boolean(data.is_human_enabled);
      view.status = data.status || (view.humanEnabled ? "human" : "ai");
      updateSubtitle();
      showBanner(view.humanEnabled ? "joined" : "back");
      if (!view.humanEnabled) setTyping("advisor", false);
    });

    socket.on("chat_closed", (data) => {
      if (!isCurrent(data)) return;
      view.status = "closed";
      view.humanEnabled = false;
      updateSubtitle();
      clearQueue();
      setTyping("advisor", false);
      showRatingCard();
    });

    socket.on("chat_reopened", (data) => {
      if (!isCurrent(data)) return;
      view.status = data.status || "ai";
      view.humanEnabled = Boolean(data.is_human_enabled);
      updateSubtitle();
      dropRatingForm();
    });

    socket.on("admin_status_changed", (data) => {
      if (isCurrent(data)) setAdvisorsOnline(data.advisors_online);
    });

    socket.on("booking_confirmed", (data) => {
      if (isCurrent(data)) showBookingCard(data.booking, "confirmed");
    });

    socket.on("booking_cancelled", (data) => {
      if (isCurrent(data)) showBookingCard(data.booking, "cancelled");
    });

    socket.on("error", (data) => {
      if (!data || QUIET_EVENTS.includes(data.event)) return;
      if ([...awaiting].some((entry) => entry.event === data.event)) return;
      showNotice(data.message || "Something went wrong. Please try again.");
    });
  }

  function isCurrent(data) {
    return Boolean(data) && data.chat_id === view.chatId;
  }

  /* ---------- status, typing, banners, bookings ---------- */

  function updateSubtitle() {
    let status = view ? view.status : "ai";
    if (view && view.humanEnabled) status = "human";
    const text = {
      waiting_human: "Waiting for an advisor",
      human: "Advisor",
      closed: "Conversation closed",
    }[status] || assistantLabel;
    ui.subtitle.textContent = text;
    ui.subtitle.dataset.status = status;
    if (view) setAdvisorsOnline(view.advisorsOnline);
    ui.input.placeholder = {
      human: "Message the advisor…",
      closed: "Write to reopen the chat…",
    }[status] || "Ask about admissions…";
  }

  /** "Advisor online" while one has the chat open; a closed chat says only that it is closed. */
  function setAdvisorsOnline(count) {
    view.advisorsOnline = Number(count) || 0;
    ui.advisorOnline.hidden = !(view.advisorsOnline > 0) || view.status === "closed";
  }

  function setTyping(who, on) {
    clearTimeout(typingTimers[who]);
    typingTimers[who] = on ? setTimeout(() => setTyping(who, false), TYPING_TIMEOUT_MS) : 0;
    const showing = typingTimers.advisor ? "advisor" : typingTimers.assistant ? "assistant" : null;
    ui.typing.hidden = !showing;
    if (showing) {
      ui.typingText.textContent = showing === "advisor" ? "Advisor is typing…" : "Assistant is typing…";
      ui.typing.dataset.who = showing;
      if (following) scrollToBottom(true);
    }
  }

  /** The hand-off banner; "waiting" and "unavailable" stay until the queue changes. */
  function showBanner(tone, text, detail) {
    clearTimeout(bannerTimer);
    ui.banner.dataset.tone = tone;
    ui.bannerText.textContent = text || BANNER_TEXT[tone];
    ui.bannerDetail.textContent = detail || "";
    ui.banner.hidden = false;
    if (!isQueueTone(tone)) bannerTimer = setTimeout(hideBanner, BANNER_HIDE_MS);
  }

  function isQueueTone(tone) {
    return tone === "waiting" || tone === "unavailable";
  }

  /** Where the student stands while waiting for an advisor (chat.queue or queue_status; null: not known yet). */
  function showQueue(queue) {
    if (view.humanEnabled || (queue && (queue.position === null || queue.position === undefined))) {
      clearQueue();
    } else if (!queue) {
      showBanner("waiting");
    } else if (queue.available_now === false) {
      showBanner("unavailable");
    } else {
      showBanner("waiting", BANNER_TEXT.queued, queuePlace(Number(queue.position), Number(queue.estimated_minutes)));
    }
  }

  function queuePlace(position, minutes) {
    const about = minutes > 0 ? "about " + numberFormat.format(minutes) + (minutes === 1 ? " minute" : " minutes") : "";
    if (position === 1) return "You're next" + (about ? " — " + about : "");
    if (!(position > 1)) return "";
    return "You are number " + numberFormat.format(position) + " in the queue" + (about ? ", " + about : "");
  }

  function clearQueue() {
    if (isQueueTone(ui.banner.dataset.tone)) hideBanner();
  }

  function hideBanner() {
    clearTimeout(bannerTimer);
    ui.banner.hidden = true;
    ui.banner.dataset.tone = "";
  }

  function bookingLabel(booking) {
    return booking.label || [booking.date, booking.time].filter(Boolean).join(" at ");
  }

  function showBookingStrip(booking) {
    ui.bookingStrip.hidden = !booking;
    ui.bookingStripText.textContent = booking ? bookingLabel(booking) : "";
  }

  /** Show the chat's current booking and remember it with the chat. */
  function setBooking(booking) {
    showBookingStrip(booking);
    if (view.chatId && findChat(view.chatId)) {
      saveChat(view.chatId, { booking: booking ? { id: booking.id, label: bookingLabel(booking) } : null });
    }
  }

  function showBookingCard(booking, kind) {
    if (!booking || typeof booking !== "object") return;
    const key = kind + ":" + (booking.id !== undefined ? booking.id : bookingLabel(booking));
    if (view.cards.has(key)) return;
    view.cards.add(key);
    insertInOrder(renderBookingCard(booking, kind), Infinity);
    setBooking(kind === "confirmed" ? booking : null);
    announce((kind === "confirmed" ? "Call booked: " : "Call cancelled: ") + bookingLabel(booking));
    if (following) scrollToBottom(true);
    else ui.pill.hidden = false;
  }

  function renderBookingCard(booking, kind) {
    const confirmed = kind === "confirmed";
    const card = H.el("li", "card card--booking" + (confirmed ? "" : " card--cancelled"));
    card.append(renderCalendarIcon(booking.date));
    const body = H.el("div", "card__body");
    const title = H.el("p", "card__title", confirmed ? "Call booked: " : "Call cancelled: ");
    title.append(H.el("strong", null, bookingLabel(booking)));
    body.append(title, H.el("p", "card__text", confirmed
      ? "An admissions advisor will call you at that time."
      : "This call is no longer booked. Ask here if you'd like another time."));
    card.append(body);
    return card;
  }

  /** A small calendar page drawn in CSS, showing the booking's month and day. */
  function renderCalendarIcon(isoDate) {
    const icon = H.el("span", "cal-icon");
    icon.setAttribute("aria-hidden", "true");
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || "");
    if (match) {
      const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
      const month = date.toLocaleString(undefined, { month: "short", timeZone: "UTC" });
      icon.append(H.el("span", "cal-icon__month", month), H.el("span", "cal-icon__day", String(+match[3])));
    }
    return icon;
  }

  /* ---------- closing and rating ---------- */

  let ratingForms = 0; // ids for the labels of each card's fields
  const SVG_NS = "http://www.w3.org/2000/svg";

  /** The "conversation closed" card with its rating form; one open form at a time. */
  function showRatingCard() {
    if (view.rating && !view.rating.done) return;
    const card = renderRatingCard();
    view.rating = { node: card, done: false };
    insertInOrder(card, Infinity);
    announce("This conversation was closed. You can rate it.");
    if (following) scrollToBottom(true);
    else ui.pill.hidden = false;
  }

  /** The chat is open again: an unanswered form goes; a thank-you stays as history. */
  function dropRatingForm() {
    if (!view.rating || view.rating.done) return;
    view.rating.node.remove();
    view.rating = null;
  }

  function renderRatingCard() {
    const n = ++ratingForms;
    const card = H.el("li", "card card--rating");
    const body = H.el("div", "card__body");
    body.append(H.el("p", "card__title", "This conversation was closed"),
      H.el("p", "card__text", "How did we do? You can still write below to reopen it."));

    const form = H.el("form", "rating");
    form.noValidate = true;
    const group = H.el("fieldset", "rating__group");
    const legend = H.el("legend", "rating__legend", "Your rating");
    const stars = H.el("div", "rating__stars");
    const caption = H.el("span", "rating__caption");
    caption.setAttribute("aria-hidden", "true"); // each star's label says it already
    for (let value = 1; value <= 5; value++) {
      const input = H.el("input", "rating__input visually-hidden");
      input.type = "radio";
      input.name = "rating-" + n;
      input.id = "rating-" + n + "-" + value;
      input.value = String(value);
      const label = H.el("label", "star");
      label.htmlFor = input.id;
      label.dataset.value = String(value);
      label.append(renderStar(), H.el("span", "visually-hidden",
        value + (value === 1 ? " star, " : " stars, ") + RATING_WORDS[value - 1]));
      stars.append(input, label);
    }
    group.append(legend, stars, caption);

    const commentId = "rating-" + n + "-comment";
    const commentLabel = H.el("label", "rating__label", "Anything you'd like to add? (optional)");
    commentLabel.htmlFor = commentId;
    const comment = H.el("textarea", "rating__comment");
    comment.id = commentId;
    comment.rows = 2;
    comment.maxLength = COMMENT_MAX;
    const error = H.el("p", "rating__error");
    error.setAttribute("aria-live", "polite");
    const submit = H.el("button", "button button--primary rating__submit", "Submit");
    submit.type = "submit";
    form.append(group, commentLabel, comment, error, submit);
    body.append(form);
    card.append(body);

    const chosen = () => Number((form.querySelector(".rating__input:checked") || {}).value) || 0;
    const paint = (value) => {
      stars.querySelectorAll(".star").forEach((star) => {
        star.classList.toggle("star--lit", Number(star.dataset.value) <= value);
      });
      caption.textContent = value ? RATING_WORDS[value - 1] : "";
    };
    stars.addEventListener("change", () => {
      error.textContent = "";
      paint(chosen());
    });
    stars.addEventListener("mouseover", (event) => {
      const star = event.target.closest(".star");
      if (star) paint(Number(star.dataset.value));
    });
    stars.addEventListener("mouseleave", () => paint(chosen()));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitRating(card, chosen(), comment.value.trim(), { error, submit, stars });
    });
    return card;
  }

  function renderStar() {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", "M12 2.6l2.85 5.92 6.5.86-4.76 4.53 1.2 6.46L12 17.24" +
      "l-5.79 3.13 1.2-6.46-4.76-4.53 6.5-.86z");
    svg.append(path);
    return svg;
  }

  function submitRating(card, rating, comment, parts) {
    if (!rating) {
      parts.error.textContent = "Choose from 1 to 5 stars first.";
      parts.stars.querySelector(".rating__input").focus();
      return;
    }
    if (!socket || !socket.connected || !joined.has(view.chatId)) {
      parts.error.textContent = "You're not connected right now. Please try again in a moment.";
      return;
    }
    const payload = { chat_id: view.chatId, rating: rating };
    if (comment) payload.comment = comment;
    const gen = view.generation;
    parts.submit.disabled = true;
    parts.error.textContent = "";
    request("rate_chat", payload, (err, ack) => {
      if (gen !== view.generation || !card.isConnected) return;
      parts.submit.disabled = false;
      if (!err && ack && ack.ok) {
        thank(card);
        return;
      }
      parts.error.textContent = err ? "The server did not answer. Please try again." : errorOf(ack).message;
    });
  }

  function thank(card) {
    if (view.rating && view.rating.node === card) view.rating.done = true;
    const thanks = H.el("p", "rating__thanks", "Thanks for your feedback");
    thanks.tabIndex = -1; // focus stays in the card when its form goes
    card.querySelector(".rating").replaceWith(thanks);
    card.querySelector(".card__text").remove();
    thanks.focus();
  }

  /* ---------- notices, feedback, announcements ---------- */

  function showNotice(text) {
    ui.noticeText.textContent = text;
    ui.notice.hidden = false;
  }

  function showFeedback(text) {
    ui.feedback.textContent = text;
    ui.input.setAttribute("aria-invalid", "true");
  }

  function clearFeedback() {
    ui.feedback.textContent = "";
    ui.input.removeAttribute("aria-invalid");
  }

  function announce(text) {
    ui.announcer.textContent = text;
  }

  /* ---------- scrolling ---------- */

  // Whether the view follows new messages. Only the student scrolling up turns it off, so a
  // smooth scroll still under way (scrollTop not yet at the bottom) does not count as "away".
  let following = true;
  let lastScrollTop = 0;

  function isNearBottom() {
    const s = ui.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToBottom(smooth) {
    following = true;
    ui.scroller.scrollTo({ top: ui.scroller.scrollHeight, behavior: smooth && !reducedMotion.matches ? "smooth" : "auto" });
    ui.pill.hidden = true;
  }

  ui.scroller.addEventListener("scroll", () => {
    const top = ui.scroller.scrollTop;
    if (isNearBottom()) following = true;
    else if (top < lastScrollTop) following = false;
    lastScrollTop = top;
    if (following) ui.pill.hidden = true;
  }, { passive: true });

  // Keep the latest message in view when the composer grows or the phone keyboard opens.
  if (window.ResizeObserver) {
    new ResizeObserver(() => { if (following) scrollToBottom(false); }).observe(ui.scroller);
  }

  ui.pill.addEventListener("click", () => {
    scrollToBottom(true);
    ui.input.focus();
  });

  /* ---------- composer ---------- */

  function submitComposer() {
    if (submitText(ui.input.value)) {
      ui.input.value = "";
      composerChanged();
    }
    ui.input.focus();
  }

  function composerChanged() {
    const input = ui.input;
    input.style.height = "auto";
    input.style.height = input.scrollHeight + (input.offsetHeight - input.clientHeight) + "px";
    const length = countChars(input.value.trim());
    const showCounter = length >= maxLength * COUNTER_FROM;
    ui.counter.hidden = !showCounter;
    ui.counter.textContent = showCounter ? numberFormat.format(length) + " / " + numberFormat.format(maxLength) : "";
    ui.counter.classList.toggle("char-counter--over", length > maxLength);
    if (ui.feedback.textContent && length > 0 && length <= maxLength) clearFeedback();
  }

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitComposer();
  });

  ui.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      submitComposer();
    }
  });

  ui.input.addEventListener("input", composerChanged);
  ui.input.addEventListener("input", () => studentTyping(ui.input.value.trim() !== ""));
  ui.input.addEventListener("blur", () => studentTyping(false));

  /* ---------- telling the advisor the student is typing ---------- */

  let typingSent = { chatId: null, at: 0 }; // the chat told "typing", and when last
  let typingIdleTimer = 0;

  /** `true` at most every TYPING_EVERY_MS while typing; `false` once, on send, blur or idle. */
  function studentTyping(on) {
    clearTimeout(typingIdleTimer);
    const chatId = view ? view.chatId : null;
    if (on && chatId && socket && socket.connected && joined.has(chatId)) {
      typingIdleTimer = setTimeout(() => studentTyping(false), TYPING_IDLE_MS);
      if (typingSent.chatId === chatId && Date.now() - typingSent.at < TYPING_EVERY_MS) return;
      socket.emit("student_typing", { chat_id: chatId, typing: true });
      typingSent = { chatId: chatId, at: Date.now() };
      return;
    }
    if (!typingSent.chatId) return;
    if (socket && socket.connected && joined.has(typingSent.chatId)) {
      socket.emit("student_typing", { chat_id: typingSent.chatId, typing: false });
    }
    typingSent = { chatId: null, at: 0 };
  }

  ui.welcome.querySelectorAll("[data-suggestion]").forEach((chip) => {
    chip.addEventListener("click", () => {
      submitText(chip.textContent);
      ui.input.focus();
    });
  });

  ui.noticeDismiss.addEventListener("click", () => {
    ui.notice.hidden = true;
    ui.input.focus();
  });

  /* ---------- your chats ---------- */

  function openChat(chatId) {
    if (chatId === view.chatId) return;
    resetView(chatId);
    if (socket && socket.connected) joinChat();
  }

  function startNewChat() {
    if (ui.drawer.open) ui.drawer.close();
    if (view.chatId || view.pending.size) resetView(null);
    ui.input.focus();
  }

  function renderChatList() {
    const chats = storedChats();
    ui.chatList.replaceChildren(...chats.map(renderChatItem));
    ui.chatsEmpty.hidden = chats.length > 0;
  }

  function renderChatItem(chat) {
    const item = H.el("li");
    const button = H.el("button", "chat-item");
    button.type = "button";
    const current = chat.chat_id === view.chatId;
    if (current) button.setAttribute("aria-current", "true");
    const details = [H.formatTime(chat.started_at) || "Earlier"];
    if (current) details.push("Open now");
    if (chat.booking && chat.booking.label) details.push("Call booked");
    button.append(
      H.el("span", "chat-item__preview", chat.preview || "New conversation"),
      H.el("span", "chat-item__meta", details.join(" · ")),
    );
    button.addEventListener("click", () => {
      ui.drawer.close();
      openChat(chat.chat_id);
    });
    item.append(button);
    return item;
  }

  ui.drawerOpen.addEventListener("click", () => {
    renderChatList();
    ui.drawer.showModal();
    ui.drawerOpen.setAttribute("aria-expanded", "true");
  });
  ui.drawerClose.addEventListener("click", () => ui.drawer.close());
  ui.drawer.addEventListener("click", (event) => {
    if (event.target === ui.drawer) ui.drawer.close(); // a click on the backdrop
  });
  ui.drawer.addEventListener("close", () => {
    ui.drawerOpen.setAttribute("aria-expanded", "false");
    ui.input.focus();
  });
  ui.newChat.forEach((button) => button.addEventListener("click", startNewChat));

  /* ---------- start ---------- */

  const current = H.storage.get(CURRENT_KEY);
  resetView(current && findChat(current) ? current : null);
  setConnection(socket ? "connecting" : "offline");
  if (!socket) showNotice("The chat could not load. Please refresh the page.");
  composerChanged();
  if (window.matchMedia("(pointer: fine)").matches) ui.input.focus();
})();
