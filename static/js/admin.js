/* Advisors' desk: live state over Socket.IO; REST for paging, the model switch, bookings,
   canned responses and the answers learned from advisors. */
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
  const TYPING_SHOWN_MS = 6000; // a "typing" not renewed within this is stale
  const TYPING_EVERY_MS = 2000; // the advisor's own "typing" goes out at most this often
  const TYPING_IDLE_MS = 5000;
  const ASSISTANT_TYPING_MS = 60000; // safety net: the server always sends the "false"
  const MAX_SUGGESTIONS = 6;
  const FACT_LABELS = { program: "Program", intake: "Intake", country: "Country", deadline: "Deadline" };
  const PROVIDER_NAMES = { openai: "OpenAI", gemini: "Gemini", local: "Offline assistant" };
  const KNOWLEDGE_EMPTY = {
    pending: "No answers waiting for review. Use “Save as answer” on an advisor's message to add one.",
    approved: "No approved answers yet. Approved answers are what the assistant learns from advisors.",
    gaps: "No questions have led to a hand-off yet.",
  };
  const KNOWLEDGE_INTRO = {
    pending: "Answers saved by advisors. Approve one and the assistant uses it for the same question.",
    approved: "The assistant uses these answers when a student asks the same question.",
    gaps: "Questions that led to a hand-off, grouped. Answer them to teach the assistant.",
  };
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
  // What live events change on a chat; an open chat's ack written before one of them keeps the live value.
  const LIVE_FIELDS = [
    "status", "is_human_enabled", "taken_by", "escalation_reason", "brief", "rating", "rating_comment",
  ];
  const CONNECTION_TEXT = {
    connecting: "Connecting…", connected: "Live", reconnecting: "Reconnecting…", offline: "Offline",
  };

  const body = document.body;
  const csrfToken = body.dataset.csrf || "";
  const me = body.dataset.username || "";
  const maxLength = parseInt(body.dataset.maxMessageLength, 10) || 2000;
  const baseTitle = document.title;
  const phoneLayout = window.matchMedia("(max-width: 699px)");
  const wideLayout = window.matchMedia("(min-width: 1100px)");
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
    availability: byId("availability-toggle"),
    availabilityLabel: byId("availability-label"),
    availabilityHelp: byId("availability-help"),
    hoursNote: byId("hours-note"),
    notice: byId("notice"),
    noticeText: byId("notice-text"),
    noticeLink: byId("notice-link"),
    noticeDismiss: byId("notice-dismiss"),
    alerts: byId("escalation-alert"),
    sideTabs: document.querySelectorAll("[data-side-tab]"),
    tabWaiting: byId("tab-waiting-count"),
    tabBooked: byId("tab-booked-count"),
    tabPending: byId("tab-pending-count"),
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
    rating: byId("chat-rating"),
    humanToggle: byId("human-toggle"),
    closeButton: byId("chat-close"),
    reopenButton: byId("chat-reopen"),
    brief: byId("chat-brief"),
    briefMood: byId("brief-mood"),
    briefBy: byId("brief-by"),
    briefWants: byId("brief-wants"),
    briefFactsRow: byId("brief-facts-row"),
    briefFacts: byId("brief-facts"),
    briefAnswered: byId("brief-answered"),
    briefReason: byId("brief-reason"),
    typing: byId("chat-typing"),
    typingText: byId("chat-typing-text"),
    scroller: byId("chat-scroller"),
    loading: byId("chat-loading"),
    messages: byId("message-list"),
    pill: byId("new-messages"),
    announcer: byId("announcer"),
    hint: byId("operator-hint"),
    hintText: byId("operator-hint-text"),
    takeover: byId("operator-takeover"),
    form: byId("operator-form"),
    input: byId("operator-input"),
    send: byId("operator-send"),
    feedback: byId("operator-feedback"),
    counter: byId("operator-counter"),
    suggest: byId("canned-suggest"),
    bookingsDays: byId("bookings-days"),
    bookingsEmpty: byId("bookings-empty"),
    bookingsSummary: byId("bookings-summary"),
    knowledgeViews: document.querySelectorAll("[data-knowledge-view]"),
    knowledgePending: byId("knowledge-pending-count"),
    knowledgeIntro: byId("knowledge-intro"),
    knowledgeList: byId("knowledge-list"),
    gapsList: byId("gaps-list"),
    knowledgeEmpty: byId("knowledge-empty"),
    answerDialog: byId("answer-dialog"),
    answerForm: byId("answer-form"),
    answerTitle: byId("answer-dialog-title"),
    answerQuestion: byId("answer-question"),
    answerText: byId("answer-text"),
    answerError: byId("answer-error"),
    answerSave: byId("answer-save"),
    cannedDialog: byId("canned-dialog"),
    cannedList: byId("canned-list"),
    cannedEmpty: byId("canned-empty"),
    cannedForm: byId("canned-form"),
    cannedFormTitle: byId("canned-form-title"),
    cannedShortcut: byId("canned-shortcut"),
    cannedText: byId("canned-text"),
    cannedError: byId("canned-error"),
    cannedSave: byId("canned-save"),
    cannedCancelEdit: byId("canned-cancel-edit"),
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
    availability: null,
    canned: [], // [{id, shortcut, text}]
    answers: null, // learned answers, every status; null until loaded
    gaps: null, // null until loaded
    knowledgeView: "pending",
    typing: new Map(), // chat id -> timer while its student is typing
    edits: new Map(), // chat id -> how many live changes it has had (a slower answer must not undo them)
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
    streams: new Map(), // stream_id -> the AI bubble being written
    finishedStreams: new Set(),
    assistantTimer: 0, // set while the assistant is thinking about this chat
    briefShown: null, // the brief on screen, to leave it alone when nothing changed
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
    state.edits.set(chatId, (state.edits.get(chatId) || 0) + 1);
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
    if (state.typing.has(chat.id)) {
      preview.classList.add("chat-row__preview--typing");
      preview.textContent = "Student is typing…";
    } else if (last) {
      const prefix = last.role === "human" ? "" : PREVIEW_PREFIX[last.role] || "";
      if (prefix) preview.append(el("span", "chat-row__who", prefix));
      preview.append(document.createTextNode(last.message));
    } else {
      preview.classList.add("chat-row__preview--empty");
      preview.textContent = "No messages yet";
    }

    const parts = [top, line, preview];
    const names = viewerNames(chat.viewers, false);
    const holder = chat.is_human_enabled && chat.taken_by;
    if (names.length || chat.booking || holder || chat.rating) {
      const extras = el("span", "chat-row__extras");
      if (holder) {
        extras.append(el("span", "chat-row__holder", "Handled by " + (chat.taken_by === me ? "you" : chat.taken_by)));
      }
      if (names.length) extras.append(el("span", "chat-row__viewers", "Viewing: " + names.join(", ")));
      if (chat.booking) extras.append(el("span", "chat-row__booking", "Call " + bookingShort(chat.booking)));
      if (chat.rating) extras.append(stars(chat.rating, "chat-row__rating"));
      parts.push(extras);
    }
    button.replaceChildren(...parts);
  }

  /** "★★★★☆" read out as "Rated 4 out of 5". */
  function stars(rating, className) {
    const value = Math.max(0, Math.min(5, Math.round(Number(rating) || 0)));
    const node = el("span", "stars " + (className || ""));
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", "Rated " + value + " out of 5");
    node.append(el("span", "stars__on", "★".repeat(value)), el("span", "stars__off", "★".repeat(5 - value)));
    return node;
  }

  function refreshRow(chatId) {
    const row = state.rows.get(chatId);
    const chat = state.chats.get(chatId);
    if (row && chat) fillRow(row, chat);
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
    applyAvailability(ack.availability);
    applyCanned(ack.canned);
    loadKnowledge();
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
    view.streams = new Map();
    view.finishedStreams = new Set();
    view.briefShown = null;
    view.loading = true;
    view.stick = true;
    setAssistantTyping(false);
    closeSuggestions();
    ui.brief.open = !phoneLayout.matches;
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
    const edits = state.edits.get(chatId) || 0;
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
      const live = state.chats.get(chatId);
      // Handlers run concurrently on the server: a takeover sent after this may have been answered first.
      if (live && ack.chat && (state.edits.get(chatId) || 0) !== edits) {
        LIVE_FIELDS.forEach((field) => { if (field in live) ack.chat[field] = live[field]; });
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
    advisorTyping(false);
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
      ui.closeButton.hidden = true;
      ui.reopenButton.hidden = true;
      ui.rating.hidden = true;
      renderBrief(null);
      setHumanSwitch(false, null);
      return;
    }
    ui.status.hidden = false;
    ui.status.dataset.status = chat.status;
    ui.status.textContent = STATUS_TEXT[chat.status] || chat.status;

    // The brief repeats the reason, and room at the top of the chat is precious.
    ui.reason.hidden = !chat.escalation_reason || Boolean(chat.brief);
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

    const closed = chat.status === "closed";
    ui.closeButton.hidden = closed;
    ui.reopenButton.hidden = !closed;
    ui.rating.hidden = !(chat.rating || closed);
    if (chat.rating) {
      const parts = [el("span", "fact__label", "Rating: "), stars(chat.rating, "stars--fact")];
      if (chat.rating_comment) parts.push(el("q", "fact__comment", chat.rating_comment));
      ui.rating.replaceChildren(...parts);
    } else {
      ui.rating.textContent = "Not rated yet";
    }

    renderBrief(chat);
    const heldByOther = chat.is_human_enabled && chat.taken_by && chat.taken_by !== me ? chat.taken_by : null;
    setHumanSwitch(Boolean(chat.is_human_enabled), heldByOther, closed);
  }

  /** The switch and composer; while another advisor holds the chat both are theirs alone. */
  function setHumanSwitch(on, heldBy, closed) {
    const mine = on && !heldBy;
    ui.humanToggle.setAttribute("aria-checked", String(on));
    ui.humanToggle.disabled = Boolean(heldBy);
    ui.humanToggle.title = heldBy ? heldBy + " is handling this chat." : "";
    ui.input.disabled = !mine;
    ui.send.disabled = !mine;
    ui.hint.hidden = mine;
    ui.hint.classList.toggle("operator__hint--taken", Boolean(heldBy));
    if (heldBy) {
      ui.hintText.textContent = heldBy + " is handling this chat. Only they can write to the student " +
        "until they hand it back.";
    } else {
      ui.hintText.textContent = closed ? "This chat is closed. Take it over to write to the student again."
        : "Turn on human intervention to write to the student.";
    }
    ui.takeover.hidden = Boolean(heldBy);
    ui.form.classList.toggle("operator__form--off", !mine);
    if (!mine) closeSuggestions();
  }

  /* ---------- the hand-off brief ---------- */

  function briefAuthor(model) {
    if (!model || model === "local") return "rules";
    const parts = String(model).split(":");
    return parts.length > 1 ? (PROVIDER_NAMES[parts[0]] || parts[0]) + " " + parts.slice(1).join(":") : model;
  }

  function moodTone(mood) {
    if (/frustrat|anx|angry|upset|worr|stress|annoy|confus|urgent/i.test(mood)) return "upset";
    if (/positive|happy|calm|excited|relaxed|satisfied/i.test(mood)) return "calm";
    return "neutral";
  }

  function renderBrief(chat) {
    const brief = chat && chat.brief && typeof chat.brief === "object" ? chat.brief : null;
    const key = brief ? JSON.stringify(brief) : null;
    ui.brief.hidden = !brief;
    if (key === view.briefShown) return;
    view.briefShown = key;
    if (!brief) return;
    ui.briefWants.textContent = brief.wants || "—";
    const facts = brief.facts && typeof brief.facts === "object" ? brief.facts : {};
    const chips = Object.keys(FACT_LABELS).filter((name) => facts[name]).map((name) => {
      const chip = el("li", "brief-chip");
      chip.dataset.fact = name;
      chip.append(el("span", "brief-chip__label", FACT_LABELS[name]), el("span", "brief-chip__value", facts[name]));
      return chip;
    });
    ui.briefFacts.replaceChildren(...chips);
    ui.briefFactsRow.hidden = chips.length === 0;
    ui.briefAnswered.textContent = brief.answered || "Nothing yet.";
    ui.briefReason.textContent = brief.reason || (chat && chat.escalation_reason) || "—";
    ui.briefMood.hidden = !brief.mood;
    ui.briefMood.dataset.tone = moodTone(brief.mood || "");
    ui.briefMood.replaceChildren(el("span", "visually-hidden", "Mood: "), document.createTextNode(brief.mood || ""));
    ui.briefBy.textContent = "written by " + briefAuthor(brief.model);
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

  function setChatClosed(close) {
    const chatId = view.chatId;
    const button = close ? ui.closeButton : ui.reopenButton;
    if (!chatId || button.disabled) return;
    if (!socket || !socket.connected) {
      showNotice("You're offline. The chat can't be " + (close ? "closed" : "reopened") +
        " until the connection is back.");
      return;
    }
    button.disabled = true;
    request(close ? "close_chat" : "reopen_chat", { chat_id: chatId }, (err, ack) => {
      button.disabled = false;
      if (err) {
        showNotice("The server did not answer. Please try again.");
        return;
      }
      if (!ack || !ack.ok) return; // the `error` event says why
      applyHumanEnabled(ack);
      if (chatId !== view.chatId) return;
      announce(close ? "Chat closed. The student is asked to rate it." : "Chat reopened.");
      (close ? ui.reopenButton : ui.closeButton).focus();
    });
  }

  /** human_enabled_changed, chat_closed, chat_reopened and the toggle's ack share this shape. */
  function applyHumanEnabled(data) {
    const fields = { is_human_enabled: Boolean(data.is_human_enabled), status: data.status };
    if ("taken_by" in data) fields.taken_by = data.taken_by;
    if (!data.is_human_enabled) fields.taken_by = null;
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
    if (msg.role === "human_operator" && msg.id !== undefined && msg.id !== null) {
      node.querySelector(".msg__meta").append(saveAnswerAction(msg.id));
    }
    return node;
  }

  /** "Save as answer" on an advisor's message; once saved it says so instead. */
  function saveAnswerAction(messageId) {
    const saved = (state.answers || []).some((answer) => answer.source_message_id === messageId);
    if (saved) {
      const done = el("span", "msg__saved", "Saved as answer");
      done.dataset.savedAnswer = String(messageId);
      return done;
    }
    const button = el("button", "msg__action", "Save as answer");
    button.type = "button";
    button.dataset.saveAnswer = String(messageId);
    button.setAttribute("aria-haspopup", "dialog");
    return button;
  }

  function refreshSaveActions() {
    ui.messages.querySelectorAll("[data-save-answer], [data-saved-answer]").forEach((node) => {
      const id = Number(node.dataset.saveAnswer || node.dataset.savedAnswer);
      const fresh = saveAnswerAction(id);
      if (fresh.className !== node.className) node.replaceWith(fresh);
    });
  }

  function renderAllMessages() {
    const sorted = Array.from(view.messages.values()).sort((a, b) => a.id - b.id);
    const seenClientIds = new Set(sorted.map((m) => m.client_id).filter(Boolean));
    view.pending.forEach((entry, clientId) => { if (seenClientIds.has(clientId)) view.pending.delete(clientId); });
    ui.messages.replaceChildren(...sorted.map(renderMessageNode), ...view.streams.values(),
      ...Array.from(view.pending.values(), (e) => e.node));
  }

  function addMessage(msg) {
    if (msg.chat_id !== view.chatId) return;
    // The streamed bubble leaves once the final message is in place: removing it first would shrink
    // the list for a moment, and the scroll that follows would lose the view's place at the bottom.
    const streamed = msg.stream_id ? finishStream(msg.stream_id) : null;
    if (msg.role === "ai") setAssistantTyping(false);
    if (view.messages.has(msg.id) || view.loading) {
      if (streamed) streamed.remove();
      if (view.loading) view.messages.set(msg.id, msg); // the open chat's ack renders everything
      return;
    }
    view.messages.set(msg.id, msg);
    const entry = msg.client_id && view.pending.get(msg.client_id);
    if (entry) {
      view.pending.delete(msg.client_id);
      entry.node.remove();
    }
    const node = renderMessageNode(msg);
    if (streamed) node.classList.add("msg--streamed"); // its text is on screen already: no entrance
    insertInOrder(node, msg.id);
    if (streamed) streamed.remove();
    if (entry) scrollToBottom();
    else if (!view.stick) ui.pill.hidden = false;
    if (msg.role === "human") announce("Student: " + msg.message);
  }

  /* ---------- the assistant's reply as it is written ---------- */

  function streamDelta(data) {
    const streamId = typeof data.stream_id === "string" ? data.stream_id : "";
    // A delta after its final message (a slower process) must not leave a bubble behind.
    if (data.chat_id !== view.chatId || !streamId || view.finishedStreams.has(streamId)) return;
    let node = view.streams.get(streamId);
    if (data.reset) {
      // The text so far is dropped (a tool call follows, or another provider answers): still thinking.
      if (node) {
        node.remove();
        view.streams.delete(streamId);
        setAssistantTyping(true);
      }
      return;
    }
    if (typeof data.delta !== "string" || !data.delta) return;
    if (!node) {
      node = renderMessageNode({ role: "ai", message: "", model_label: activeModelLabel() });
      node.classList.add("msg--streaming");
      node.dataset.streamId = streamId;
      node.setAttribute("aria-busy", "true"); // the final message is what counts, not every piece
      view.streams.set(streamId, node);
      insertInOrder(node, Infinity);
      if (!view.stick) ui.pill.hidden = false;
    }
    node.querySelector(".msg__bubble").textContent += data.delta;
    setAssistantTyping(false);
  }

  /** The final message of a stream arrived: its bubble (for the caller to remove), or null. */
  function finishStream(streamId) {
    view.finishedStreams.add(streamId);
    const node = view.streams.get(streamId) || null;
    view.streams.delete(streamId);
    return node;
  }

  /** Half-written replies lost with the connection; rejoining the chat brings the finished ones. */
  function dropStreams() {
    view.streams.forEach((node) => node.remove());
    view.streams.clear();
  }

  function activeModelLabel() {
    const active = state.model && state.model.providers.find((p) => p.active);
    return active ? active.label : "Assistant";
  }

  /* ---------- who is typing ---------- */

  /** A student's "typing" shows on their row and, when open, in the chat; it lapses unless renewed. */
  function setStudentTyping(chatId, on) {
    window.clearTimeout(state.typing.get(chatId));
    const was = state.typing.has(chatId);
    if (on) state.typing.set(chatId, window.setTimeout(() => setStudentTyping(chatId, false), TYPING_SHOWN_MS));
    else state.typing.delete(chatId);
    if (was !== on) refreshRow(chatId);
    if (chatId === view.chatId) renderTyping();
  }

  function setAssistantTyping(on) {
    window.clearTimeout(view.assistantTimer);
    view.assistantTimer = on ? window.setTimeout(() => setAssistantTyping(false), ASSISTANT_TYPING_MS) : 0;
    renderTyping();
  }

  function renderTyping() {
    const student = view.chatId && state.typing.has(view.chatId);
    const showing = student ? "student" : view.assistantTimer ? "assistant" : null;
    const wasHidden = ui.typing.hidden;
    ui.typing.hidden = !showing;
    if (!showing) return;
    ui.typing.dataset.who = showing;
    ui.typingText.textContent = showing === "student" ? "Student is typing…" : "Assistant is writing…";
    if (wasHidden && view.stick) ui.scroller.scrollTop = ui.scroller.scrollHeight;
  }

  let typingSent = { chatId: null, at: 0 }; // the chat told "typing", and when last
  let typingIdleTimer = 0;

  /** The advisor's "typing": `true` at most every TYPING_EVERY_MS; `false` once, on send, blur or idle. */
  function advisorTyping(on) {
    window.clearTimeout(typingIdleTimer);
    const chatId = view.chatId;
    if (on && chatId && !ui.input.disabled && socket && socket.connected) {
      typingIdleTimer = window.setTimeout(() => advisorTyping(false), TYPING_IDLE_MS);
      if (typingSent.chatId === chatId && Date.now() - typingSent.at < TYPING_EVERY_MS) return;
      socket.emit("admin_typing", { chat_id: chatId, typing: true });
      typingSent = { chatId: chatId, at: Date.now() };
      return;
    }
    if (!typingSent.chatId) return;
    if (socket && socket.connected) socket.emit("admin_typing", { chat_id: typingSent.chatId, typing: false });
    typingSent = { chatId: null, at: 0 };
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
    closeSuggestions();
    advisorTyping(false);
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

  /* ---------- canned responses: "/" in the composer, and their manager ---------- */

  const suggestion = { items: [], index: -1 };

  function applyCanned(list) {
    if (!Array.isArray(list)) return;
    state.canned = list.slice().sort((a, b) => (a.shortcut < b.shortcut ? -1 : 1));
    renderCannedList();
    if (!ui.suggest.hidden) updateSuggestions();
  }

  function loadCanned() {
    return api("/canned").then((res) => {
      if (res.status === 200 && res.body && res.body.ok) applyCanned(res.body.canned);
    });
  }

  /** "/" at the very start of the message, then the shortcut typed so far. */
  function updateSuggestions() {
    const typed = /^\/([\w-]*)$/.exec(ui.input.value);
    if (!typed || ui.input.disabled) {
      closeSuggestions();
      return;
    }
    const query = typed[1].toLowerCase();
    const starts = state.canned.filter((c) => c.shortcut.startsWith(query));
    const contains = state.canned.filter((c) => !c.shortcut.startsWith(query) && c.shortcut.includes(query));
    suggestion.items = starts.concat(contains).slice(0, MAX_SUGGESTIONS);
    suggestion.index = suggestion.items.length ? 0 : -1;
    const options = suggestion.items.map((canned, index) => {
      const option = el("li", "canned-suggest__option");
      option.id = "canned-option-" + canned.id;
      option.setAttribute("role", "option");
      option.dataset.index = String(index);
      option.append(el("span", "canned-suggest__shortcut", "/" + canned.shortcut),
        el("span", "canned-suggest__text", canned.text));
      return option;
    });
    if (!options.length) {
      const none = el("li", "canned-suggest__none",
        state.canned.length ? "No canned response starts with /" + query + "." : "No canned responses yet.");
      none.setAttribute("role", "presentation");
      options.push(none);
    }
    ui.suggest.replaceChildren(...options);
    ui.suggest.hidden = false;
    highlightSuggestion();
  }

  function highlightSuggestion() {
    Array.from(ui.suggest.children).forEach((option) => {
      const on = Number(option.dataset.index) === suggestion.index && option.dataset.index !== undefined;
      option.setAttribute("aria-selected", String(on));
      if (on) option.scrollIntoView({ block: "nearest" });
    });
    const current = suggestion.items[suggestion.index];
    if (current) ui.input.setAttribute("aria-activedescendant", "canned-option-" + current.id);
    else ui.input.removeAttribute("aria-activedescendant");
  }

  function closeSuggestions() {
    suggestion.items = [];
    suggestion.index = -1;
    ui.suggest.hidden = true;
    ui.suggest.replaceChildren();
    ui.input.removeAttribute("aria-activedescendant");
  }

  function insertCanned(index) {
    const canned = suggestion.items[index];
    if (!canned) return;
    closeSuggestions();
    ui.input.value = canned.text;
    ui.input.focus();
    ui.input.setSelectionRange(canned.text.length, canned.text.length);
    updateCounter();
    advisorTyping(true);
    announce("Inserted /" + canned.shortcut + ". Press Enter to send.");
  }

  /** Arrow keys move, Tab or Enter insert, Escape closes. True when the key was used. */
  function suggestionKey(event) {
    if (ui.suggest.hidden) return false;
    const count = suggestion.items.length;
    if (event.key === "Escape") {
      closeSuggestions();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && count) {
      suggestion.index = (suggestion.index + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
      highlightSuggestion();
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && count) {
      insertCanned(suggestion.index);
    } else {
      return false;
    }
    event.preventDefault();
    return true;
  }

  const cannedEdit = { id: null };

  function openCannedManager() {
    resetCannedForm();
    loadCanned();
    openDialog(ui.cannedDialog, ui.cannedShortcut);
  }

  function renderCannedList() {
    const items = state.canned.map((canned) => {
      const item = el("li", "canned-item");
      item.dataset.cannedId = String(canned.id);
      const text = el("div", "canned-item__main");
      text.append(el("p", "canned-item__shortcut", "/" + canned.shortcut), el("p", "canned-item__text", canned.text));
      const edit = el("button", "btn btn-small btn-quiet", "Edit");
      edit.type = "button";
      edit.dataset.editCanned = String(canned.id);
      edit.setAttribute("aria-label", "Edit /" + canned.shortcut);
      const remove = el("button", "btn btn-small btn-danger-quiet", "Delete");
      remove.type = "button";
      remove.dataset.deleteCanned = String(canned.id);
      remove.setAttribute("aria-label", "Delete /" + canned.shortcut);
      const actions = el("div", "canned-item__actions");
      actions.append(edit, remove);
      item.append(text, actions);
      return item;
    });
    ui.cannedList.replaceChildren(...items);
    ui.cannedEmpty.hidden = items.length > 0;
  }

  function resetCannedForm() {
    cannedEdit.id = null;
    ui.cannedForm.reset();
    ui.cannedError.textContent = "";
    ui.cannedFormTitle.textContent = "New canned response";
    ui.cannedSave.textContent = "Add response";
    ui.cannedCancelEdit.hidden = true;
  }

  function editCanned(id) {
    const canned = state.canned.find((c) => String(c.id) === id);
    if (!canned) return;
    cannedEdit.id = canned.id;
    ui.cannedShortcut.value = canned.shortcut;
    ui.cannedText.value = canned.text;
    ui.cannedError.textContent = "";
    ui.cannedFormTitle.textContent = "Edit /" + canned.shortcut;
    ui.cannedSave.textContent = "Save changes";
    ui.cannedCancelEdit.hidden = false;
    ui.cannedShortcut.focus();
  }

  function saveCanned() {
    const shortcut = ui.cannedShortcut.value.trim().replace(/^\//, "");
    const text = ui.cannedText.value.trim();
    if (!shortcut || !text) {
      ui.cannedError.textContent = !shortcut ? "Give the response a shortcut." : "Write the text to insert.";
      (!shortcut ? ui.cannedShortcut : ui.cannedText).focus();
      return;
    }
    const editing = cannedEdit.id;
    ui.cannedSave.disabled = true;
    ui.cannedError.textContent = "";
    const path = editing ? "/canned/" + encodeURIComponent(editing) : "/canned";
    api(path, { method: editing ? "PUT" : "POST", json: { shortcut: shortcut, text: text } }).then((res) => {
      ui.cannedSave.disabled = false;
      if (res.body && res.body.ok) {
        announce(editing ? "Saved /" + res.body.canned.shortcut + "." : "Added /" + res.body.canned.shortcut + ".");
        resetCannedForm();
        loadCanned();
        ui.cannedShortcut.focus();
      } else if (res.status !== 401) {
        ui.cannedError.textContent = errorOf(res.body).message;
      }
    });
  }

  function deleteCanned(id, button) {
    const canned = state.canned.find((c) => String(c.id) === id);
    if (!canned || !window.confirm("Delete the canned response /" + canned.shortcut + "?")) return;
    button.disabled = true;
    api("/canned/" + encodeURIComponent(id), { method: "DELETE" }).then((res) => {
      button.disabled = false;
      if (res.body && res.body.ok) {
        if (cannedEdit.id === canned.id) resetCannedForm();
        announce("Deleted /" + canned.shortcut + ".");
        loadCanned();
        ui.cannedShortcut.focus();
      } else if (res.status !== 401) {
        ui.cannedError.textContent = errorOf(res.body).message;
      }
    });
  }

  /* ---------- dialogs ---------- */

  const dialogOpener = new Map(); // dialog -> the element to focus again when it closes

  function openDialog(dialog, focus) {
    if (dialog.open) return;
    dialogOpener.set(dialog, document.activeElement);
    dialog.showModal();
    if (focus) focus.focus();
  }

  function onDialogClosed(dialog) {
    const opener = dialogOpener.get(dialog);
    dialogOpener.delete(dialog);
    if (opener && document.contains(opener) && typeof opener.focus === "function") opener.focus();
  }

  /* ---------- answers learned from advisors ---------- */

  const answerEdit = { mode: null, id: null, sourceId: null };

  function loadKnowledge() {
    return api("/knowledge").then((res) => {
      if (res.status === 200 && res.body && res.body.ok) applyAnswers(res.body.answers);
    });
  }

  function applyAnswers(answers) {
    if (!Array.isArray(answers)) return;
    state.answers = answers;
    const pending = answers.filter((a) => a.status === "pending").length;
    [ui.tabPending, ui.knowledgePending].forEach((badge) => {
      badge.textContent = numberFormat.format(pending);
      badge.hidden = pending === 0;
      badge.setAttribute("aria-label", pending + " pending");
    });
    renderKnowledge();
    refreshSaveActions();
  }

  function loadGaps() {
    ui.knowledgeList.setAttribute("aria-busy", "true");
    return api("/knowledge/gaps").then((res) => {
      ui.knowledgeList.removeAttribute("aria-busy");
      if (res.status === 200 && res.body && res.body.ok) state.gaps = res.body.gaps;
      else if (state.gaps === null) state.gaps = [];
      renderKnowledge();
    });
  }

  function setKnowledgeView(name) {
    state.knowledgeView = name;
    ui.knowledgeViews.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.knowledgeView === name)));
    renderKnowledge();
    if (name === "gaps") loadGaps();
  }

  function renderKnowledge() {
    const name = state.knowledgeView;
    const gaps = name === "gaps";
    ui.knowledgeIntro.textContent = KNOWLEDGE_INTRO[name];
    ui.knowledgeList.hidden = gaps;
    ui.gapsList.hidden = !gaps;
    let count;
    if (gaps) {
      const list = state.gaps || [];
      ui.gapsList.replaceChildren(...list.map(renderGap));
      count = state.gaps === null ? 1 : list.length; // still loading: no "empty" yet
    } else {
      const list = (state.answers || []).filter((a) => a.status === name)
        .sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at)));
      ui.knowledgeList.replaceChildren(...list.map(renderAnswer));
      count = state.answers === null ? 1 : list.length;
    }
    ui.knowledgeEmpty.textContent = KNOWLEDGE_EMPTY[name];
    ui.knowledgeEmpty.hidden = count > 0;
  }

  function renderAnswer(answer) {
    const item = el("li", "answer");
    item.dataset.answerId = String(answer.id);
    item.dataset.status = answer.status;
    const question = el("p", "answer__question");
    question.append(el("span", "answer__label", "Q"), el("span", null, answer.question));
    const text = el("p", "answer__text");
    text.append(el("span", "answer__label", "A"), el("span", null, answer.answer));
    const meta = el("p", "answer__meta");
    const badge = el("span", "answer__status", answer.status === "approved" ? "Approved" : "Pending review");
    badge.dataset.status = answer.status;
    const time = el("time", null, H.formatTime(answer.updated_at));
    time.dateTime = answer.updated_at || "";
    meta.append(badge, time);
    const actions = el("div", "answer__actions");
    if (answer.status !== "approved") actions.append(answerButton("Approve", "approve", answer, "btn-primary"));
    actions.append(answerButton("Edit", "edit", answer, "btn-quiet"),
      answerButton("Delete", "delete", answer, "btn-danger-quiet"));
    item.append(question, text, meta, actions);
    return item;
  }

  function answerButton(label, action, answer, tone) {
    const button = el("button", "btn btn-small " + tone, label);
    button.type = "button";
    button.dataset.answerAction = action;
    button.dataset.answerId = String(answer.id);
    button.setAttribute("aria-label", label + " the answer to “" + answer.question + "”");
    return button;
  }

  function renderGap(gap) {
    const item = el("li", "gap");
    const head = el("p", "gap__question");
    head.append(el("span", null, gap.question));
    const chats = gap.count === 1 ? "1 chat" : numberFormat.format(gap.count) + " chats";
    head.append(el("span", "count-badge gap__count", chats));
    item.append(head);
    const others = Array.from(new Set(gap.examples || [])).filter((q) => q !== gap.question);
    if (others.length) {
      const examples = el("ul", "gap__examples");
      examples.setAttribute("aria-label", "Also asked as");
      others.forEach((q) => examples.append(el("li", null, q)));
      item.append(examples);
    }
    const actions = el("div", "answer__actions");
    const chatId = (gap.chat_ids || [])[0];
    if (chatId) {
      const open = el("button", "btn btn-small btn-quiet", "Open chat");
      open.type = "button";
      open.dataset.openChat = chatId;
      open.setAttribute("aria-label", "Open " + chatName(chatId) + ", where this was asked");
      actions.append(open);
    }
    const write = el("button", "btn btn-small btn-primary", "Write answer");
    write.type = "button";
    write.dataset.answerGap = gap.question;
    actions.append(write);
    item.append(actions);
    return item;
  }

  /** The question an advisor's message answered: the student's message just before it. */
  function questionBefore(messageId) {
    let best = null;
    view.messages.forEach((msg) => {
      if (msg.role === "human" && msg.id < messageId && (!best || msg.id > best.id)) best = msg;
    });
    return best ? best.message : "";
  }

  function openAnswerDialog(mode, values) {
    answerEdit.mode = mode;
    answerEdit.id = values.id || null;
    answerEdit.sourceId = values.sourceId || null;
    ui.answerTitle.textContent = mode === "edit" ? "Edit answer" : "Save as answer";
    ui.answerSave.textContent = mode === "edit" ? "Save changes" : "Save for review";
    ui.answerQuestion.value = values.question || "";
    ui.answerText.value = values.answer || "";
    ui.answerError.textContent = "";
    openDialog(ui.answerDialog, values.question ? ui.answerText : ui.answerQuestion);
  }

  function saveAnswer() {
    const question = ui.answerQuestion.value.trim();
    const answer = ui.answerText.value.trim();
    if (!question || !answer) {
      ui.answerError.textContent = !question ? "Write the student's question." : "Write the answer.";
      (!question ? ui.answerQuestion : ui.answerText).focus();
      return;
    }
    const editing = answerEdit.mode === "edit";
    const body = { question: question, answer: answer };
    if (!editing && answerEdit.sourceId) body.source_message_id = answerEdit.sourceId;
    ui.answerSave.disabled = true;
    ui.answerError.textContent = "";
    const request = editing
      ? api("/knowledge/" + encodeURIComponent(answerEdit.id), { method: "PATCH", json: body })
      : api("/knowledge", { method: "POST", json: body });
    request.then((res) => {
      ui.answerSave.disabled = false;
      if (res.body && res.body.ok) {
        ui.answerDialog.close();
        announce(editing ? "Answer saved." : "Answer saved. It waits in Knowledge for approval.");
        loadKnowledge();
      } else if (res.status !== 401) {
        ui.answerError.textContent = errorOf(res.body).message;
      }
    });
  }

  function answerAction(action, id, button) {
    const answer = (state.answers || []).find((a) => String(a.id) === id);
    if (!answer) return;
    if (action === "edit") {
      openAnswerDialog("edit", { id: answer.id, question: answer.question, answer: answer.answer });
      return;
    }
    if (action === "delete" && !window.confirm("Delete this answer?\n\n“" + answer.question + "”")) return;
    button.disabled = true;
    const request = action === "approve"
      ? api("/knowledge/" + encodeURIComponent(id), { method: "PATCH", json: { status: "approved" } })
      : api("/knowledge/" + encodeURIComponent(id), { method: "DELETE" });
    request.then((res) => {
      button.disabled = false;
      if (res.body && res.body.ok) {
        announce(action === "approve" ? "Approved. The assistant uses it from the next question." : "Answer deleted.");
        loadKnowledge();
      } else if (res.status !== 401) {
        showNotice("Could not " + action + " the answer: " + errorOf(res.body).message);
      }
    });
  }

  /* ---------- availability and business hours ---------- */

  function applyAvailability(availability) {
    if (!availability || !Array.isArray(availability.advisors)) return;
    state.availability = availability;
    const mine = availability.advisors.includes(me);
    ui.availability.disabled = false;
    ui.availability.removeAttribute("aria-busy");
    ui.availability.setAttribute("aria-checked", String(mine));
    ui.availabilityLabel.textContent = mine ? "Available" : "Away";
    const who = availability.advisors.length
      ? "Available now: " + availability.advisors.map((n) => (n === me ? "you" : n)).join(", ") + "."
      : "No advisor is available: students are offered advisor calls instead of a live chat.";
    ui.availabilityHelp.textContent = who;
    ui.availability.title = (mine ? "You take live chats. " : "You're away. ") + who;
    const closed = availability.open_now === false;
    ui.hoursNote.hidden = !closed;
    if (closed) {
      ui.hoursNote.replaceChildren(
        el("strong", null, "Outside business hours (" + (availability.hours || "Mon-Fri 09:00-17:00") + ")"),
        document.createTextNode(" · Students are offered advisor calls instead of a live chat."));
    }
  }

  function toggleAvailability() {
    if (!socket || !socket.connected) {
      showNotice("You're offline. Your availability can't change until the connection is back.");
      return;
    }
    const available = ui.availability.getAttribute("aria-checked") !== "true";
    ui.availability.setAttribute("aria-busy", "true");
    request("set_availability", { available: available }, (err, ack) => {
      ui.availability.removeAttribute("aria-busy");
      if (err) {
        showNotice("The server did not answer. Please try again.");
        return;
      }
      if (ack && ack.ok) {
        applyAvailability(ack);
        announce(available ? "You're available for live chats." : "You're away.");
      }
    });
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
    renderSideTabs();
    if (side === "knowledge" && state.knowledgeView === "gaps") loadGaps();
  }

  /** Wide screens always show the chat list, so there the tabs pick the right-hand column. */
  function renderSideTabs() {
    const side = ui.desk.dataset.side;
    const shown = wideLayout.matches && side === "chats" ? "bookings" : side;
    ui.sideTabs.forEach((tab) => tab.setAttribute("aria-pressed", String(tab.dataset.sideTab === shown)));
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
      dropStreams();
      setAssistantTyping(false);
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
        if (msg.role === "human") setStudentTyping(msg.chat_id, false);
        renderChatList();
      }
      addMessage(msg);
    });

    socket.on("message_delta", (data) => {
      if (data && data.chat_id) streamDelta(data);
    });

    socket.on("typing", (data) => {
      if (!data || !data.chat_id) return;
      if (data.who === "student") setStudentTyping(data.chat_id, Boolean(data.typing));
      else if (data.who === "assistant" && data.chat_id === view.chatId) setAssistantTyping(Boolean(data.typing));
    });

    socket.on("brief_ready", (data) => {
      if (!data || !data.chat_id || !data.brief) return;
      if (!updateChat(data.chat_id, { brief: data.brief })) fetchChat(data.chat_id);
      if (data.chat_id === view.chatId) {
        renderHeader();
        announce("The hand-off brief is ready.");
      }
    });

    socket.on("chat_rated", (data) => {
      if (!data || !data.chat_id) return;
      if (updateChat(data.chat_id, { rating: data.rating, rating_comment: data.comment })) refreshRow(data.chat_id);
      if (data.chat_id === view.chatId) renderHeader();
    });

    socket.on("availability_changed", applyAvailability);
    socket.on("canned_changed", (data) => { if (data) applyCanned(data.canned); });
    socket.on("knowledge_changed", (data) => {
      if (!data) return;
      applyAnswers(data.answers);
      if (state.gaps !== null && state.knowledgeView === "gaps") loadGaps();
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
      if (state.knowledgeView === "gaps" && state.gaps !== null) loadGaps();
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
      else if (data.event === "admin_typing") return; // best effort: not worth a notice
      else showNotice(data.message || "Something went wrong.");
      // Another advisor holds the chat: show who, and lock the switch and composer.
      if (data.code === "taken" && view.chatId) fetchChat(view.chatId);
    });
  } else {
    setConnection("offline");
    showNotice("The live connection could not start. Reload the page to try again.");
  }

  /* ---------- wiring ---------- */

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-open-chat], [data-dismiss-alert], [data-cancel-slot], " +
      "[data-save-answer], [data-answer-action], [data-answer-gap], [data-edit-canned], [data-delete-canned], " +
      "[data-close-dialog]");
    if (!target) return;
    const data = target.dataset;
    if (data.openChat) {
      openChat(data.openChat);
      if (target.closest(".toast")) dismissAlert(data.openChat);
    } else if (data.dismissAlert) {
      dismissAlert(data.dismissAlert);
    } else if (data.cancelSlot) {
      cancelSlot(data.cancelSlot, target);
    } else if (data.saveAnswer) {
      const id = Number(data.saveAnswer);
      const msg = view.messages.get(id);
      if (msg) openAnswerDialog("create", { sourceId: id, question: questionBefore(id), answer: msg.message });
    } else if (data.answerAction) {
      answerAction(data.answerAction, data.answerId, target);
    } else if (data.answerGap) {
      openAnswerDialog("create", { question: data.answerGap });
    } else if (data.editCanned) {
      editCanned(data.editCanned);
    } else if (data.deleteCanned) {
      deleteCanned(data.deleteCanned, target);
    } else if ("closeDialog" in data) {
      target.closest("dialog").close();
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

  ui.closeButton.addEventListener("click", () => setChatClosed(true));
  ui.reopenButton.addEventListener("click", () => setChatClosed(false));
  ui.availability.addEventListener("click", toggleAvailability);

  ui.humanToggle.addEventListener("click", () => {
    toggleHuman(ui.humanToggle.getAttribute("aria-checked") !== "true");
  });
  ui.takeover.addEventListener("click", () => toggleHuman(true));

  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitOperator();
  });
  ui.input.addEventListener("keydown", (event) => {
    if (event.isComposing || suggestionKey(event)) return;
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      submitOperator();
    }
  });
  ui.input.addEventListener("input", () => {
    updateCounter();
    updateSuggestions();
    advisorTyping(ui.input.value.trim() !== "");
    if (ui.feedback.textContent) ui.feedback.textContent = "";
  });
  ui.input.addEventListener("blur", () => {
    advisorTyping(false);
    closeSuggestions();
  });
  // A press on an option would blur the composer (and close the list) before the click.
  ui.suggest.addEventListener("mousedown", (event) => event.preventDefault());
  ui.suggest.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) insertCanned(Number(option.dataset.index));
  });

  byId("canned-manage").addEventListener("click", openCannedManager);
  byId("knowledge-canned").addEventListener("click", openCannedManager);
  ui.cannedForm.addEventListener("submit", (event) => {
    event.preventDefault();
    saveCanned();
  });
  ui.cannedCancelEdit.addEventListener("click", () => {
    resetCannedForm();
    ui.cannedShortcut.focus();
  });
  ui.answerForm.addEventListener("submit", (event) => {
    event.preventDefault();
    saveAnswer();
  });
  [ui.answerDialog, ui.cannedDialog].forEach((dialog) => {
    dialog.addEventListener("close", () => onDialogClosed(dialog));
    // A click on the backdrop (the dialog box itself, outside its content) closes it.
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close(); });
  });
  ui.knowledgeViews.forEach((button) => {
    button.addEventListener("click", () => setKnowledgeView(button.dataset.knowledgeView));
  });

  // Only scrolling up leaves the bottom: layout changes (a brief or banner appearing, a streamed
  // bubble giving way to its message) also fire scroll events, and must not stop the view following.
  let lastScrollTop = 0;
  ui.scroller.addEventListener("scroll", () => {
    const top = ui.scroller.scrollTop;
    if (isNearBottom()) view.stick = true;
    else if (top < lastScrollTop) view.stick = false;
    lastScrollTop = top;
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
  wideLayout.addEventListener("change", renderSideTabs);
  renderSideTabs();
  renderKnowledge();
  ui.title.tabIndex = -1;
  window.setInterval(tickTimes, TICK_MS);

  const initial = chatFromHash();
  if (initial) {
    history.replaceState(null, "", location.pathname + location.search);
    openChat(initial);
  }
})();
