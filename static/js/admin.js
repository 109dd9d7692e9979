/* Advisors' desk: live state over Socket.IO; REST for paging, the model switch and bookings. */
(function () {
  "use strict";

  const H = window.Havana;
  const el = H.el;
  const ACK_TIMEOUT_MS = 20000;
  const RETRY_MS = 3000;
  const PAGE_SIZE = 50;
  const TICK_MS = 30000;
  const MAX_ALERTS = 3;
  const NEAR_BOTTOM_PX = 120;
  const COUNTER_FROM = 0.8;
  const SOUND_KEY = "havana.admin.sound";
  const STATUS_TEXT = {
    ai: "AI answering", waiting_human: "Waiting for a human", human: "Human active", closed: "Closed",
  };
  const ROLE_TEXT = { human: "Student", ai: "AI", human_operator: "Advisor" };
  const PREVIEW_PREFIX = { ai: "AI: ", human_operator: "Advisor: ", system: "" };
  const FILTER_EMPTY = {
    all: "No chats yet. New student chats appear here as they start.",
    waiting_human: "Nobody is waiting for a human right now.",
    human: "No chats are with an advisor right now.",
    ai: "No chats are with the assistant right now.",
  };
  const CONNECTION_TEXT = {
    connecting: "Connecting…", connected: "Live", reconnecting: "Reconnecting…", offline: "Offline",
  };

  const body = document.body;
  const csrfToken = body.dataset.csrf || "";
  const me = body.dataset.username || "";
  const maxLength = parseInt(body.dataset.maxMessageLength, 10) || 2000;
  const baseTitle = document.title;
  const phoneLayout = window.matchMedia("(max-width: 699px)");
  const numberFormat = new Intl.NumberFormat();
  const dayTitleFormat = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });

  const byId = (id) => document.getElementById(id);
  const ui = {
    desk: byId("desk"),
    connection: byId("connection-status"),
    connectionText: byId("connection-text"),
    modelSelect: byId("model-select"),
    modelHelp: byId("model-help"),
    soundToggle: byId("sound-toggle"),
    notice: byId("notice"),
    noticeText: byId("notice-text"),
    noticeLink: byId("notice-link"),
    noticeDismiss: byId("notice-dismiss"),
    alerts: byId("escalation-alert"),
    sideTabs: document.querySelectorAll("[data-side-tab]"),
    tabWaiting: byId("tab-waiting-count"),
    tabBooked: byId("tab-booked-count"),
    filters: document.querySelectorAll("[data-filter]"),
    filterWaiting: byId("filter-waiting-count"),
    chatTotal: byId("chat-total"),
    chatList: byId("chat-list"),
    chatListEmpty: byId("chat-list-empty"),
    loadMore: byId("load-more"),
    placeholder: byId("chat-placeholder"),
    detail: byId("chat-detail"),
    back: byId("back-to-list"),
    title: byId("chat-title"),
    status: byId("chat-status"),
    reason: byId("chat-reason"),
    booking: byId("chat-booking"),
    viewers: byId("chat-viewers"),
    holder: byId("chat-holder"),
    humanToggle: byId("human-toggle"),
    scroller: byId("chat-scroller"),
    loading: byId("chat-loading"),
    messages: byId("message-list"),
    pill: byId("new-messages"),
    announcer: byId("announcer"),
    hint: byId("operator-hint"),
    takeover: byId("operator-takeover"),
    form: byId("operator-form"),
    input: byId("operator-input"),
    send: byId("operator-send"),
    feedback: byId("operator-feedback"),
    counter: byId("operator-counter"),
    bookingsDays: byId("bookings-days"),
    bookingsEmpty: byId("bookings-empty"),
    bookingsSummary: byId("bookings-summary"),
  };

  const state = {
    chats: new Map(), // chat id -> ChatSummary
    rows: new Map(), // chat id -> <li>
    filter: "all",
    // per filter: how far the server's list has been read, and whether more is left
    pages: {},
    model: null,
    slots: [],
    soundOn: H.storage.get(SOUND_KEY) === "on",
    sessionEnded: false,
  };

  const view = {
    chatId: null,
    generation: 0,
    loading: false,
    messages: new Map(), // id -> Message, for the open chat
    pending: new Map(), // client_id -> outgoing operator message
    pushedHistory: false,
    togglePending: false,
    stick: true, // the view follows new messages while the advisor is at the bottom
  };

  /* ---------- small helpers ---------- */

  function chatName(chatId) {
    return "Chat " + String(chatId).slice(0, 8);
  }

  function isWaiting(chat) {
    return chat.status === "waiting_human";
  }

  function lastActivity(chat) {
    const date = H.parseDate(chat.last_message_at || chat.created_at);
    return date ? date.getTime() : 0;
  }

  function compareChats(a, b) {
    if (isWaiting(a) !== isWaiting(b)) return isWaiting(a) ? -1 : 1;
    return lastActivity(b) - lastActivity(a) || (a.id < b.id ? -1 : 1);
  }

  function matchesFilter(chat, filter) {
    return filter === "all" || chat.status === filter;
  }

  function bookingShort(booking) {
    const date = dateOnly(booking.date);
    const day = date ? date.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" }) : booking.date;
    return day + ", " + booking.time;
  }

  function dateOnly(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
  }

  function viewerNames(viewers, excludeMe) {
    const names = (viewers || []).filter((name) => !(excludeMe && name === me));
    return names.map((name) => (name === me ? "you" : name));
  }

  function announce(text) {
    ui.announcer.textContent = "";
    window.setTimeout(() => { ui.announcer.textContent = text; }, 50);
  }

  function errorOf(ackOrBody) {
    const error = ackOrBody && ackOrBody.error;
    return {
      code: (error && error.code) || "internal",
      message: (error && error.message) || "Something went wrong. Please try again.",
    };
  }

  /* ---------- notices ---------- */

  function showNotice(text, options) {
    ui.noticeText.textContent = text;
    ui.noticeLink.hidden = !(options && options.signIn);
    ui.notice.hidden = false;
  }

  function hideNotice() {
    ui.notice.hidden = true;
  }

  function sessionEnded() {
    state.sessionEnded = true;
    showNotice("Your session has ended. Sign in again to keep working.", { signIn: true });
  }

  /* ---------- REST ---------- */

  function api(path, options) {
    const opts = Object.assign({}, options);
    if (opts.method && opts.method !== "GET") opts.headers = Object.assign({ "X-CSRFToken": csrfToken }, opts.headers);
    return H.fetchJSON("/api" + path, opts).then((res) => {
      if (res.status === 401) sessionEnded();
      return res;
    });
  }

  /* ---------- the chat store and list ---------- */

  function upsertChat(summary, options) {
    if (!summary || !summary.id) return null;
    const old = state.chats.get(summary.id);
    const chat = Object.assign({}, old, summary);
    // A page fetched over REST can be older than what live events already told us.
    if (old && old.last_message && (!summary.last_message || summary.last_message.id < old.last_message.id)) {
      chat.last_message = old.last_message;
      chat.last_message_at = old.last_message_at;
    }
    if (summary.id === view.chatId) chat.unread = 0;
    else if (old && options && options.keepUnread) chat.unread = old.unread;
    state.chats.set(chat.id, chat);
    return chat;
  }

  function updateChat(chatId, fields) {
    const chat = state.chats.get(chatId);
    if (!chat) return null;
    Object.assign(chat, fields);
    return chat;
  }

  const fetchingChats = new Set();

  /** A chat we have not loaded (an older page) became active: fetch its row. */
  function fetchChat(chatId, unread) {
    if (fetchingChats.has(chatId)) return;
    fetchingChats.add(chatId);
    api("/chats/" + encodeURIComponent(chatId)).then((res) => {
      fetchingChats.delete(chatId);
      if (res.status !== 200 || !res.body || !res.body.ok) return;
      const known = state.chats.has(chatId);
      const chat = upsertChat(res.body.chat, { keepUnread: known });
      if (!known && chatId !== view.chatId) chat.unread = unread || 0;
      renderChatList();
      if (chatId === view.chatId) renderHeader();
    });
  }

  function renderChatList() {
    const visible = Array.from(state.chats.values())
      .filter((chat) => matchesFilter(chat, state.filter))
      .sort(compareChats);
    const keep = new Set(visible.map((chat) => chat.id));
    state.rows.forEach((row, id) => {
      if (!keep.has(id)) {
        row.remove();
        state.rows.delete(id);
      }
    });

    const focused = document.activeElement;
    let cursor = ui.chatList.firstElementChild;
    visible.forEach((chat) => {
      let row = state.rows.get(chat.id);
      if (!row) {
        row = createRow(chat.id);
        state.rows.set(chat.id, row);
      }
      fillRow(row, chat);
      if (row === cursor) cursor = cursor.nextElementSibling;
      else ui.chatList.insertBefore(row, cursor);
    });
    if (focused && focused !== document.activeElement && ui.chatList.contains(focused)) focused.focus();

    ui.chatListEmpty.textContent = FILTER_EMPTY[state.filter];
    ui.chatListEmpty.hidden = visible.length > 0 || !state.pages.all;
    renderCounts();
    renderLoadMore();
  }

  function createRow(chatId) {
    const row = el("li", "desk-list__item");
    row.dataset.chatId = chatId;
    const button = el("button", "chat-row");
    button.type = "button";
    button.dataset.openChat = chatId;
    row.append(button);
    row.classList.add("is-new");
    window.setTimeout(() => row.classList.remove("is-new"), 1200);
    return row;
  }

  function fillRow(row, chat) {
    const button = row.firstElementChild;
    row.dataset.status = chat.status;
    if (chat.id === view.chatId) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");

    const top = el("span", "chat-row__top");
    const time = el("time", "chat-row__time", H.relativeTime(chat.last_message_at || chat.created_at));
    time.dateTime = chat.last_message_at || chat.created_at || "";
    time.title = H.formatTime(chat.last_message_at || chat.created_at);
    top.append(el("span", "chat-row__name", chatName(chat.id)), time);

    const line = el("span", "chat-row__state");
    line.append(statusBadge(chat.status));
    if (chat.escalation_reason && (chat.status === "waiting_human" || chat.status === "human")) {
      line.append(el("span", "chat-row__reason", chat.escalation_reason));
    }
    if (chat.unread > 0) {
      const badge = el("span", "unread-badge", chat.unread > 99 ? "99+" : numberFormat.format(chat.unread));
      badge.setAttribute("aria-label", chat.unread === 1 ? "1 unread message" : chat.unread + " unread messages");
      badge.title = badge.getAttribute("aria-label");
      line.append(badge);
    }

    const preview = el("span", "chat-row__preview");
    const last = chat.last_message;
    if (last) {
      const prefix = last.role === "human" ? "" : PREVIEW_PREFIX[last.role] || "";
      if (prefix) preview.append(el("span", "chat-row__who", prefix));
      preview.append(document.createTextNode(last.message));
    } else {
      preview.classList.add("chat-row__preview--empty");
      preview.textContent = "No messages yet";
    }

    const parts = [top, line, preview];
    const names = viewerNames(chat.viewers, false);
    if (names.length || chat.booking) {
      const extras = el("span", "chat-row__extras");
      if (names.length) extras.append(el("span", "chat-row__viewers", "Viewing: " + names.join(", ")));
      if (chat.booking) extras.append(el("span", "chat-row__booking", "Call " + bookingShort(chat.booking)));
      parts.push(extras);
    }
    button.replaceChildren(...parts);
  }

  function statusBadge(status) {
    const badge = el("span", "status-badge", STATUS_TEXT[status] || status);
    badge.dataset.status = status;
    return badge;
  }

  function renderCounts() {
    const waiting = Array.from(state.chats.values()).filter(isWaiting).length;
    [ui.tabWaiting, ui.filterWaiting].forEach((badge) => {
      badge.textContent = numberFormat.format(waiting);
      badge.hidden = waiting === 0;
    });
    ui.tabWaiting.setAttribute("aria-label", waiting + " waiting");
    ui.filterWaiting.setAttribute("aria-label", waiting + " waiting");
    const total = state.pages.all ? state.pages.all.total : 0;
    ui.chatTotal.textContent = total === 1 ? "1 chat" : numberFormat.format(total) + " chats";
    document.title = (waiting ? "(" + waiting + ") " : "") + baseTitle;
  }

  function renderLoadMore() {
    const page = state.pages[state.filter];
    const left = page ? page.total - page.offset : 0;
    ui.loadMore.hidden = !page || left <= 0;
    ui.loadMore.textContent = "Load more (" + numberFormat.format(Math.max(left, 0)) + " older)";
  }

  function loadPage(filter, offset) {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
    if (filter !== "all") params.set("status", filter);
    ui.loadMore.setAttribute("aria-busy", "true");
    return api("/chats?" + params.toString()).then((res) => {
      ui.loadMore.removeAttribute("aria-busy");
      if (res.status !== 200 || !res.body || !res.body.ok) {
        if (res.status !== 401) showNotice(errorOf(res.body).message);
        return;
      }
      res.body.chats.forEach((chat) => upsertChat(chat, { keepUnread: true }));
      state.pages[filter] = { offset: offset + res.body.chats.length, total: res.body.total };
      renderChatList();
    });
  }

  function setFilter(filter) {
    state.filter = filter;
    ui.filters.forEach((button) => button.setAttribute("aria-pressed", String(button.dataset.filter === filter)));
    renderChatList();
    if (!state.pages[filter] && socket && socket.connected) loadPage(filter, 0);
  }

  function tickTimes() {
    const now = Date.now();
    ui.chatList.querySelectorAll(".chat-row__time").forEach((time) => {
      time.textContent = H.relativeTime(time.dateTime, now);
    });
    ui.alerts.querySelectorAll(".toast__time").forEach((time) => {
      time.textContent = H.relativeTime(time.dateTime, now);
    });
  }

  /* ---------- the desk's state from the server ---------- */

  function applyDesk(ack) {
    state.chats.clear();
    state.pages = { all: { offset: ack.chats.length, total: ack.total } };
    ack.chats.forEach((chat) => upsertChat(chat));
    renderChatList();
    applyModel(ack.model);
    renderBookings(ack.slots || []);
    if (state.filter !== "all") loadPage(state.filter, 0);
  }

  function loadDesk() {
    request("admin_connect", {}, (err, ack) => {
      if (err) {
        if (socket.connected) window.setTimeout(loadDesk, RETRY_MS);
        return;
      }
      if (!ack || !ack.ok) {
        if (errorOf(ack).code === "forbidden") sessionEnded();
        else window.setTimeout(loadDesk, RETRY_MS);
        return;
      }
      if (!state.sessionEnded) hideNotice();
      applyDesk(ack);
      if (view.chatId) joinOpenChat();
    });
  }

  /* ---------- the open chat ---------- */

  function openChat(chatId, options) {
    if (!chatId) return;
    const push = !options || options.history !== false;
    if (view.chatId === chatId) {
      showChatScreen(true);
      return;
    }
    if (view.chatId) leaveChat({ keepScreen: true });
    view.chatId = chatId;
    view.generation += 1;
    view.messages = new Map();
    view.pending = new Map();
    view.loading = true;
    view.stick = true;
    ui.messages.replaceChildren();
    ui.loading.hidden = false;
    ui.pill.hidden = true;
    ui.feedback.textContent = "";
    ui.input.value = "";
    updateCounter();
    ui.detail.hidden = false;
    ui.placeholder.hidden = true;
    updateChat(chatId, { unread: 0 });
    renderHeader();
    renderChatList();
    dismissAlert(chatId);
    showChatScreen(true);
    if (push) setHistory(chatId);
    joinOpenChat();
  }

  function joinOpenChat() {
    if (!socket || !socket.connected || !view.chatId) return;
    const chatId = view.chatId;
    const generation = view.generation;
    request("admin_connect", { chat_id: chatId }, (err, ack) => {
      if (generation !== view.generation) return;
      if (err) {
        ui.loading.textContent = "The server did not answer. Retrying…";
        if (socket.connected) window.setTimeout(() => { if (generation === view.generation) joinOpenChat(); }, RETRY_MS);
        return;
      }
      if (!ack || !ack.ok) {
        // the `error` event already showed why
        if (errorOf(ack).code === "chat_not_found") {
          state.chats.delete(chatId);
          closeChat();
          renderChatList();
        }
        return;
      }
      upsertChat(ack.chat);
      view.loading = false;
      ui.loading.hidden = true;
      ui.loading.textContent = "Loading the conversation…";
      (ack.messages || []).forEach((msg) => view.messages.set(msg.id, msg));
      renderAllMessages();
      renderHeader();
      renderChatList();
      scrollToBottom();
    });
  }

  function leaveChat(options) {
    const chatId = view.chatId;
    if (!chatId) return;
    if (socket && socket.connected) socket.emit("admin_disconnect_from_chat", { chat_id: chatId });
    view.chatId = null;
    view.generation += 1;
    view.pending = new Map();
    if (!(options && options.keepScreen)) {
      ui.detail.hidden = true;
      ui.placeholder.hidden = false;
      showChatScreen(false);
    }
    renderChatList();
  }

  function closeChat() {
    const chatId = view.chatId;
    leaveChat();
    setHistory(null);
    const row = chatId && state.rows.get(chatId);
    if (row && phoneLayout.matches) row.firstElementChild.focus();
  }

  function showChatScreen(open) {
    ui.desk.dataset.chatOpen = String(open);
    if (open && phoneLayout.matches) ui.title.focus({ preventScroll: true });
  }

  function setHistory(chatId) {
    const url = location.pathname + location.search + (chatId ? "#chat=" + chatId : "");
    if (chatId && !view.pushedHistory) {
      history.pushState({ chat: chatId }, "", url);
      view.pushedHistory = true;
    } else {
      history.replaceState(chatId ? { chat: chatId } : null, "", url);
      if (!chatId) view.pushedHistory = false;
    }
  }

  function chatFromHash() {
    const m = /^#chat=([0-9a-zA-Z_-]{1,32})$/.exec(location.hash);
    return m ? m[1] : null;
  }

  function renderHeader() {
    const chat = state.chats.get(view.chatId);
    ui.title.textContent = chatName(view.chatId || "");
    if (!chat) {
      ui.status.hidden = true;
      setHumanSwitch(false);
      return;
    }
    ui.status.hidden = false;
    ui.status.dataset.status = chat.status;
    ui.status.textContent = STATUS_TEXT[chat.status] || chat.status;

    ui.reason.hidden = !chat.escalation_reason;
    ui.reason.replaceChildren(el("span", "fact__label", "Escalated: "), document.createTextNode(chat.escalation_reason || ""));

    ui.booking.hidden = !chat.booking;
    if (chat.booking) {
      ui.booking.replaceChildren(el("span", "fact__label", "Call: "), document.createTextNode(chat.booking.label));
    }

    const others = viewerNames(chat.viewers, true);
    ui.viewers.hidden = others.length === 0;
    ui.viewers.textContent = "Also viewing: " + others.join(", ");
    ui.holder.hidden = !(chat.taken_by && chat.is_human_enabled);
    ui.holder.textContent = chat.taken_by === me ? "You're handling this chat" : "Handled by " + chat.taken_by;

    setHumanSwitch(Boolean(chat.is_human_enabled));
  }

  function setHumanSwitch(on) {
    ui.humanToggle.setAttribute("aria-checked", String(on));
    ui.input.disabled = !on;
    ui.send.disabled = !on;
    ui.hint.hidden = on;
    ui.form.classList.toggle("operator__form--off", !on);
  }

  function toggleHuman(enabled) {
    const chatId = view.chatId;
    if (!chatId || view.togglePending) return;
    if (!socket || !socket.connected) {
      showNotice("You're offline. The chat can't be taken over until the connection is back.");
      return;
    }
    view.togglePending = true;
    ui.humanToggle.setAttribute("aria-busy", "true");
    request("toggle_human_enabled", { chat_id: chatId, enabled: enabled }, (err, ack) => {
      view.togglePending = false;
      ui.humanToggle.removeAttribute("aria-busy");
      if (err) {
        showNotice("The server did not answer. Please try again.");
        return;
      }
      if (!ack || !ack.ok) return; // the `error` event says why
      applyHumanEnabled(ack);
      if (ack.is_human_enabled && chatId === view.chatId) ui.input.focus();
    });
  }

  /** human_enabled_changed, chat_closed, chat_reopened and the toggle's ack share this shape. */
  function applyHumanEnabled(data) {
    const fields = { is_human_enabled: Boolean(data.is_human_enabled), status: data.status };
    if ("taken_by" in data) fields.taken_by = data.taken_by;
    const chat = updateChat(data.chat_id, fields);
    if (data.is_human_enabled) dismissAlert(data.chat_id);
    if (chat) renderChatList();
    if (data.chat_id === view.chatId) renderHeader();
  }

  /* ---------- messages ---------- */

  function renderMessageNode(msg) {
    const node = H.renderMessage(msg, { perspective: "admin" });
    if (msg.id !== undefined && msg.id !== null) node.dataset.messageId = String(msg.id);
    const author = node.querySelector(".msg__author");
    if (author) {
      // Advisors need to see who wrote every message, so each one gets its own label.
      const who = el("p", "msg__who");
      who.append(el("span", "role-tag", ROLE_TEXT[msg.role] || "Notice"));
      if (msg.role === "ai" && msg.model_label) who.append(el("span", "model-tag", msg.model_label));
      if (msg.role === "human_operator" && msg.author) who.append(el("span", "msg__by", msg.author));
      author.replaceWith(who);
    }
    return node;
  }

  function renderAllMessages() {
    const sorted = Array.from(view.messages.values()).sort((a, b) => a.id - b.id);
    const seenClientIds = new Set(sorted.map((m) => m.client_id).filter(Boolean));
    view.pending.forEach((entry, clientId) => { if (seenClientIds.has(clientId)) view.pending.delete(clientId); });
    ui.messages.replaceChildren(...sorted.map(renderMessageNode), ...Array.from(view.pending.values(), (e) => e.node));
  }

  function addMessage(msg) {
    if (msg.chat_id !== view.chatId || view.messages.has(msg.id)) return;
    view.messages.set(msg.id, msg);
    const entry = msg.client_id && view.pending.get(msg.client_id);
    if (entry) {
      view.pending.delete(msg.client_id);
      entry.node.remove();
    }
    if (view.loading) return; // the open chat's ack renders everything
    insertInOrder(renderMessageNode(msg), msg.id);
    if (entry) scrollToBottom();
    else if (!view.stick) ui.pill.hidden = false;
    if (msg.role === "human") announce("Student: " + msg.message);
  }

  function insertInOrder(node, id) {
    const after = Array.from(ui.messages.children).find((child) => {
      const other = child.dataset.messageId;
      return other === undefined || Number(other) > id;
    });
    ui.messages.insertBefore(node, after || null);
  }

  function isNearBottom() {
    const s = ui.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToBottom() {
    view.stick = true;
    ui.pill.hidden = true;
    ui.scroller.scrollTop = ui.scroller.scrollHeight;
  }

  /* ---------- the operator's composer ---------- */

  function submitOperator() {
    const text = ui.input.value.trim();
    if (!view.chatId || ui.input.disabled) return;
    if (!text) {
      ui.feedback.textContent = "Write a message first.";
      return;
    }
    if (text.length > maxLength) {
      ui.feedback.textContent = "Messages can be at most " + numberFormat.format(maxLength) + " characters.";
      return;
    }
    ui.feedback.textContent = "";
    const entry = { clientId: H.newClientId(), chatId: view.chatId, text: text, node: null };
    entry.node = renderMessageNode({
      id: null, chat_id: view.chatId, role: "human_operator", message: text, author: me,
      created_at: new Date().toISOString(), client_id: entry.clientId,
    });
    view.pending.set(entry.clientId, entry);
    ui.messages.append(entry.node);
    ui.input.value = "";
    updateCounter();
    scrollToBottom();
    sendPending(entry);
  }

  function sendPending(entry) {
    setPendingStatus(entry, "sending");
    if (!socket || !socket.connected) {
      setPendingStatus(entry, "failed", "Not sent: you're offline.");
      return;
    }
    request("admin_message", { chat_id: entry.chatId, message: entry.text, client_id: entry.clientId }, (err, ack) => {
      if (view.pending.get(entry.clientId) !== entry) return; // settled by new_message already
      if (err) setPendingStatus(entry, "failed", "Not sent: the server did not answer.");
      else if (!ack || !ack.ok) setPendingStatus(entry, "failed", "Not sent: " + errorOf(ack).message);
      else addMessage(ack.message);
    });
  }

  function setPendingStatus(entry, status, text) {
    const node = entry.node;
    node.classList.toggle("msg--pending", status === "sending");
    node.classList.toggle("msg--failed", status === "failed");
    const meta = node.querySelector(".msg__meta");
    meta.querySelectorAll(".msg__status, .msg__retry").forEach((child) => child.remove());
    meta.append(el("span", "msg__status", status === "sending" ? "Sending…" : text));
    if (status === "failed") {
      const retry = el("button", "msg__retry", "Retry");
      retry.type = "button";
      retry.addEventListener("click", () => sendPending(entry));
      meta.append(retry);
    }
  }

  function updateCounter() {
    const length = ui.input.value.length;
    const show = length >= maxLength * COUNTER_FROM;
    ui.counter.hidden = !show;
    ui.counter.textContent = numberFormat.format(length) + " / " + numberFormat.format(maxLength);
    ui.counter.classList.toggle("char-counter--over", length > maxLength);
  }

  /* ---------- escalation alerts and sound ---------- */

  function showEscalationAlert(chatId, reason) {
    dismissAlert(chatId);
    const toast = el("div", "toast");
    toast.dataset.chatId = chatId;
    const text = el("p", "toast__text");
    text.append(el("strong", null, "Student needs a human: "), document.createTextNode(reason || "no reason given"));
    const meta = el("p", "toast__meta", chatName(chatId) + " · ");
    const time = el("time", "toast__time", "now");
    time.dateTime = new Date().toISOString();
    meta.append(time);
    const open = el("button", "btn btn-small btn-alert", "Open chat");
    open.type = "button";
    open.dataset.openChat = chatId;
    const dismiss = el("button", "icon-button toast__dismiss");
    dismiss.type = "button";
    dismiss.setAttribute("aria-label", "Dismiss alert");
    dismiss.dataset.dismissAlert = chatId;
    dismiss.append(closeIcon());
    const content = el("div", "toast__content");
    content.append(text, meta);
    const actions = el("div", "toast__actions");
    actions.append(open, dismiss);
    toast.append(el("span", "toast__icon"), content, actions);
    ui.alerts.prepend(toast);
    while (ui.alerts.children.length > MAX_ALERTS) ui.alerts.lastElementChild.remove();
    beep();
  }

  function dismissAlert(chatId) {
    ui.alerts.querySelectorAll(".toast").forEach((toast) => {
      if (toast.dataset.chatId === chatId) toast.remove();
    });
  }

  function closeIcon() {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M6 6l12 12M18 6L6 18");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    svg.append(path);
    return svg;
  }

  let audio = null;

  /** Two short tones, made on the spot: no audio files to ship. */
  function beep() {
    if (!state.soundOn) return;
    const AudioCtx = window.AudioContext || window.webkitAudioContext;
    if (!AudioCtx) return;
    try {
      audio = audio || new AudioCtx();
      if (audio.state === "suspended") audio.resume();
      [[880, 0], [1174.7, 0.16]].forEach(([freq, delay]) => {
        const start = audio.currentTime + delay;
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.14);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.15);
      });
    } catch (e) {
      // Sound is a nicety; the visible alert is what counts.
    }
  }

  function setSound(on) {
    state.soundOn = on;
    H.storage.set(SOUND_KEY, on ? "on" : "off");
    ui.soundToggle.setAttribute("aria-checked", String(on));
    if (on) beep(); // inside the click, so the browser lets the page play sound later
  }

  /* ---------- the model switch ---------- */

  function applyModel(model) {
    if (!model || !Array.isArray(model.providers)) return;
    state.model = model;
    const select = ui.modelSelect;
    const options = model.providers.map((provider) => {
      const label = provider.configured ? provider.label : provider.label + " (not configured)";
      const option = el("option", null, label);
      option.value = provider.name;
      option.dataset.model = provider.name;
      option.disabled = !provider.configured;
      if (provider.reason) option.title = provider.reason;
      return option;
    });
    select.replaceChildren(...options);
    select.value = model.active;
    select.disabled = false;
    select.removeAttribute("aria-busy");
    const unavailable = model.providers.filter((p) => !p.configured)
      .map((p) => p.label + ": " + (p.reason || "not configured") + ".");
    ui.modelHelp.textContent = unavailable.length ? "Unavailable: " + unavailable.join(" ") : "";
    select.title = unavailable.join("\n");
  }

  function changeModel() {
    const name = ui.modelSelect.value;
    if (!state.model || name === state.model.active) return;
    ui.modelSelect.setAttribute("aria-busy", "true");
    api("/model", { method: "POST", json: { model: name } }).then((res) => {
      ui.modelSelect.removeAttribute("aria-busy");
      if (res.status === 200 && res.body && res.body.ok) {
        applyModel(res.body);
        const active = res.body.providers.find((p) => p.active);
        announce("The assistant now answers with " + (active ? active.label : name) + ".");
        return;
      }
      if (state.model) ui.modelSelect.value = state.model.active;
      if (res.status !== 401) showNotice("Could not switch the model: " + errorOf(res.body).message);
    });
  }

  /* ---------- bookings ---------- */

  function renderBookings(slots) {
    state.slots = slots;
    const days = new Map();
    slots.forEach((slot) => {
      if (!days.has(slot.date)) days.set(slot.date, []);
      days.get(slot.date).push(slot);
    });
    const today = new Date();
    const tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
    const sections = [];
    days.forEach((daySlots, date) => {
      const day = dateOnly(date);
      const section = el("section", "day");
      section.dataset.date = date;
      const head = el("div", "day__head");
      const title = el("h3", "day__title", day ? dayTitleFormat.format(day) : date);
      if (day && day.toDateString() === today.toDateString()) title.append(el("span", "day__tag", "Today"));
      else if (day && day.toDateString() === tomorrow.toDateString()) title.append(el("span", "day__tag", "Tomorrow"));
      const booked = daySlots.filter((s) => s.chat_id).length;
      head.append(title, el("p", "day__meta", booked + " booked · " + (daySlots.length - booked) + " free"));
      const list = el("ul", "slots");
      daySlots.forEach((slot) => list.append(renderSlot(slot)));
      section.append(head, list);
      sections.push(section);
    });
    ui.bookingsDays.replaceChildren(...sections);
    ui.bookingsEmpty.hidden = slots.length > 0;
    const bookedTotal = slots.filter((s) => s.chat_id).length;
    ui.bookingsSummary.textContent = bookedTotal === 1 ? "1 call booked" : bookedTotal + " calls booked";
    ui.tabBooked.textContent = numberFormat.format(bookedTotal);
    ui.tabBooked.hidden = bookedTotal === 0;
  }

  function renderSlot(slot) {
    const item = el("li", "slot");
    item.dataset.slotId = String(slot.id);
    item.dataset.booked = String(Boolean(slot.chat_id));
    const time = el("span", "slot__time", slot.time);
    if (!slot.chat_id) {
      item.classList.add("slot--free");
      item.title = slot.label + ": free";
      item.append(time, el("span", "visually-hidden", " free"));
      return item;
    }
    item.classList.add("slot--booked");
    const open = el("button", "slot__chat");
    open.type = "button";
    open.dataset.openChat = slot.chat_id;
    open.append(el("span", "slot__chat-name", chatName(slot.chat_id)));
    const chat = state.chats.get(slot.chat_id);
    if (chat) open.append(statusBadge(chat.status));
    open.setAttribute("aria-label", "Open " + chatName(slot.chat_id) + ", booked for " + slot.label);
    const cancel = el("button", "btn btn-small btn-danger-quiet slot__cancel", "Cancel");
    cancel.type = "button";
    cancel.dataset.cancelSlot = String(slot.id);
    cancel.setAttribute("aria-label", "Cancel the call on " + slot.label);
    item.append(time, open, cancel);
    return item;
  }

  let bookingsRequest = null;
  let bookingsAgain = false;

  function refreshBookings() {
    if (bookingsRequest) {
      bookingsAgain = true;
      return;
    }
    bookingsRequest = api("/bookings").then((res) => {
      bookingsRequest = null;
      if (res.status === 200 && res.body && res.body.ok) renderBookings(res.body.slots);
      if (bookingsAgain) {
        bookingsAgain = false;
        refreshBookings();
      }
    });
  }

  function cancelSlot(slotId, button) {
    const slot = state.slots.find((s) => String(s.id) === slotId);
    const label = slot ? slot.label : "this slot";
    if (!window.confirm("Cancel the advisor call on " + label + "?\nThe student will be told in their chat.")) return;
    button.disabled = true;
    api("/bookings/" + encodeURIComponent(slotId) + "/cancel", { method: "POST" }).then((res) => {
      if (res.status === 200 && res.body && res.body.ok) announce("The call on " + label + " was cancelled.");
      else if (res.status !== 401) showNotice("Could not cancel the call: " + errorOf(res.body).message);
      refreshBookings();
    });
  }

  /* ---------- side tabs (small screens) ---------- */

  function setSide(side) {
    ui.desk.dataset.side = side;
    ui.sideTabs.forEach((tab) => tab.setAttribute("aria-pressed", String(tab.dataset.sideTab === side)));
  }

  /* ---------- the connection ---------- */

  function setConnection(value) {
    ui.connection.dataset.state = value;
    ui.connectionText.textContent = CONNECTION_TEXT[value];
  }

  const socket = typeof window.io === "function" ? window.io({ reconnection: true }) : null;

  function request(event, payload, callback) {
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, callback);
  }

  if (socket) {
    socket.on("connect", () => {
      setConnection("connected");
      loadDesk();
    });

    socket.on("disconnect", (reason) => {
      setConnection(navigator.onLine === false ? "offline" : "reconnecting");
      // The client does not reconnect by itself after a server-side disconnect.
      if (reason === "io server disconnect") window.setTimeout(() => socket.connect(), RETRY_MS);
    });

    socket.on("connect_error", () => setConnection(navigator.onLine === false ? "offline" : "reconnecting"));

    socket.on("new_message", (msg) => {
      if (!msg || !msg.chat_id) return;
      const chat = state.chats.get(msg.chat_id);
      if (!chat) {
        fetchChat(msg.chat_id, msg.role === "human" ? 1 : 0);
      } else {
        if (!chat.last_message || msg.id >= chat.last_message.id) {
          chat.last_message = msg;
          chat.last_message_at = msg.created_at || chat.last_message_at;
        }
        if (msg.role === "human" && msg.chat_id !== view.chatId) chat.unread = (chat.unread || 0) + 1;
        renderChatList();
      }
      addMessage(msg);
    });

    socket.on("chat_created", (data) => {
      if (!data || !data.chat) return;
      if (!state.chats.has(data.chat_id) && state.pages.all) {
        state.pages.all.total += 1;
        state.pages.all.offset += 1;
      }
      upsertChat(data.chat);
      renderChatList();
    });

    socket.on("escalation_triggered", (data) => {
      if (!data || !data.chat_id) return;
      const chat = updateChat(data.chat_id, {
        status: data.status || "waiting_human", escalation_reason: data.reason, escalated_at: new Date().toISOString(),
      });
      if (!chat) fetchChat(data.chat_id);
      renderChatList();
      if (data.chat_id === view.chatId) renderHeader();
      showEscalationAlert(data.chat_id, data.reason);
    });

    socket.on("human_enabled_changed", (data) => {
      if (!data || !data.chat_id) return;
      applyHumanEnabled(data);
      if (data.chat_id === view.chatId && data.by && data.by !== me) {
        announce(data.by + (data.is_human_enabled ? " took over this chat." : " handed this chat back to the assistant."));
      }
    });

    ["chat_closed", "chat_reopened"].forEach((event) => socket.on(event, (data) => {
      if (data && data.chat_id) applyHumanEnabled(data);
    }));

    socket.on("admin_status_changed", (data) => {
      if (!data || !data.chat_id || !Array.isArray(data.viewers)) return;
      if (updateChat(data.chat_id, { viewers: data.viewers, advisors_online: data.advisors_online })) renderChatList();
      if (data.chat_id === view.chatId) renderHeader();
    });

    const onBooking = (cancelled) => (data) => {
      if (!data || !data.chat_id) return;
      const chat = state.chats.get(data.chat_id);
      if (chat) {
        if (!cancelled) chat.booking = data.booking;
        else if (chat.booking && data.booking && chat.booking.id === data.booking.id) chat.booking = null;
        renderChatList();
        if (data.chat_id === view.chatId) renderHeader();
      }
      refreshBookings();
    };
    socket.on("booking_confirmed", onBooking(false));
    socket.on("booking_cancelled", onBooking(true));

    socket.on("model_changed", applyModel);

    socket.on("error", (data) => {
      if (!data) return;
      if (data.code === "forbidden") sessionEnded();
      else showNotice(data.message || "Something went wrong.");
    });
  } else {
    setConnection("offline");
    showNotice("The live connection could not start. Reload the page to try again.");
  }

  /* ---------- wiring ---------- */

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-open-chat], [data-dismiss-alert], [data-cancel-slot]");
    if (!target) return;
    if (target.dataset.openChat) {
      openChat(target.dataset.openChat);
      if (target.closest(".toast")) dismissAlert(target.dataset.openChat);
    } else if (target.dataset.dismissAlert) {
      dismissAlert(target.dataset.dismissAlert);
    } else if (target.dataset.cancelSlot) {
      cancelSlot(target.dataset.cancelSlot, target);
    }
  });

  // Up and down arrows move between chats in the list.
  ui.chatList.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const rows = Array.from(ui.chatList.querySelectorAll(".chat-row"));
    const index = rows.indexOf(document.activeElement);
    if (index < 0) return;
    const next = rows[index + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });

  ui.filters.forEach((button) => button.addEventListener("click", () => setFilter(button.dataset.filter)));
  ui.sideTabs.forEach((tab) => tab.addEventListener("click", () => setSide(tab.dataset.sideTab)));
  ui.loadMore.addEventListener("click", () => {
    const page = state.pages[state.filter];
    if (page) loadPage(state.filter, page.offset);
  });

  ui.back.addEventListener("click", () => {
    if (view.pushedHistory && history.state && history.state.chat === view.chatId) history.back();
    else closeChat();
  });
  window.addEventListener("popstate", () => {
    const chatId = chatFromHash();
    view.pushedHistory = false;
    if (chatId) openChat(chatId, { history: false });
    else if (view.chatId) closeChat();
  });

  ui.humanToggle.addEventListener("click", () => {
    toggleHuman(ui.humanToggle.getAttribute("aria-checked") !== "true");
  });
  ui.takeover.addEventListener("click", () => toggleHuman(true));

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitOperator();
  });
  ui.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitOperator();
    }
  });
  ui.input.addEventListener("input", () => {
    updateCounter();
    if (ui.feedback.textContent) ui.feedback.textContent = "";
  });

  ui.scroller.addEventListener("scroll", () => {
    view.stick = isNearBottom();
    if (view.stick) ui.pill.hidden = true;
  }, { passive: true });
  ui.pill.addEventListener("click", () => scrollToBottom());
  // New messages, alerts above and a growing composer all change the sizes; stay at the bottom.
  if (window.ResizeObserver) {
    const follow = new ResizeObserver(() => { if (view.stick) ui.scroller.scrollTop = ui.scroller.scrollHeight; });
    follow.observe(ui.scroller);
    follow.observe(ui.messages);
  }

  ui.modelSelect.addEventListener("change", changeModel);
  ui.soundToggle.addEventListener("click", () => setSound(!state.soundOn));
  ui.noticeDismiss.addEventListener("click", hideNotice);

  ui.soundToggle.setAttribute("aria-checked", String(state.soundOn));
  ui.title.tabIndex = -1;
  window.setInterval(tickTimes, TICK_MS);

  const initial = chatFromHash();
  if (initial) {
    history.replaceState(null, "", location.pathname + location.search);
    openChat(initial);
  }
})();
