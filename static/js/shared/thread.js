/* The message thread both pages show: id order, the reply streaming in, who is typing, and a view
   that follows new messages while the reader is at the bottom, and older pages loaded on scrolling
   to the top. */
import { ROLE } from "./protocol.js";

const NEAR_BOTTOM_PX = 120;
const NEAR_TOP_PX = 200;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export class Thread {
  /**
   * parts: {list, scroller, pill, typing, typingText}. options: render(msg) -> <li>;
   * streamAuthor() -> the label of a reply being written; typingText: who -> words, the first
   * key wins when several type; typingRoles: role -> the `who` a message from it stops;
   * isOwn(msg): the viewer's side (no "new messages" pill for it); smooth: smooth scrolling;
   * loadOlder(beforeId) -> Promise of {messages, has_more}, or null when the page did not come.
   */
  constructor(parts, options) {
    Object.assign(this, parts);
    this.options = options;
    this.typingTimers = new Map(Object.keys(options.typingText).map((who) => [who, 0]));
    this.stick = true;
    this.lastScrollTop = 0;
    this.reset();
    // Only scrolling up leaves the bottom: layout changes (a banner appearing, a streamed bubble
    // giving way to its message, a smooth scroll under way) also fire scroll events.
    this.scroller.addEventListener("scroll", () => {
      const top = this.scroller.scrollTop;
      const up = top < this.lastScrollTop;
      if (this.nearBottom()) this.stick = true;
      else if (up) this.stick = false;
      this.lastScrollTop = top;
      if (this.stick) this.pill.hidden = true;
      // Only the reader going up asks for more: a first page scrolling down to its end passes the top too.
      if (up && top < NEAR_TOP_PX) this.loadOlder();
    }, { passive: true });
    this.pill.addEventListener("click", () => {
      this.scrollToBottom(true);
      if (options.onPill) options.onPill();
    });
    // A growing composer, the phone keyboard or alerts above change the sizes: stay at the bottom.
    if (window.ResizeObserver) {
      const follow = new ResizeObserver(() => { if (this.stick) this.scrollToBottom(false); });
      follow.observe(this.scroller);
      follow.observe(this.list);
    }
  }

  /** Forget everything on screen. */
  reset() {
    this.messages = new Map(); // id -> message
    this.maxId = 0;
    this.outgoing = new Map(); // client_id -> node
    this.streams = new Map(); // stream_id -> the AI bubble being written
    this.finishedStreams = new Set();
    this.list.replaceChildren();
    this.typingTimers.forEach((timer, who) => this.setTyping(who, false));
    this.pill.hidden = true;
    this.stick = true;
    this.hasMore = null; // unknown until the chat's first page says
    this.page = (this.page || 0) + 1; // an older page asked for before a reset is dropped
    this.loadingOlder = false;
    this.list.removeAttribute("aria-busy");
  }

  /** Whether the chat has messages before the first page shown; only the first answer counts. */
  setHasMore(more) {
    if (this.hasMore === null) this.hasMore = Boolean(more);
  }

  /** The page before the oldest message shown, prepended; one request at a time. */
  loadOlder() {
    if (!this.hasMore || this.loadingOlder || !this.options.loadOlder || !this.messages.size) return;
    const page = this.page;
    this.loadingOlder = true;
    this.list.setAttribute("aria-busy", "true");
    this.options.loadOlder(Math.min(...this.messages.keys())).then((answer) => {
      if (page !== this.page) return;
      this.loadingOlder = false;
      this.list.removeAttribute("aria-busy");
      if (!answer) return; // the loader said why; scrolling up again retries
      this.prepend(Array.isArray(answer.messages) ? answer.messages : []);
      this.hasMore = Boolean(answer.has_more);
    });
  }

  /** Older messages go above, and what the reader sees stays where it is. */
  prepend(messages) {
    const anchor = Array.from(this.list.children).find((child) => child.dataset.id !== undefined);
    const before = anchor ? anchor.getBoundingClientRect().top : 0;
    messages.slice().sort((a, b) => Number(a.id) - Number(b.id)).forEach((msg) => {
      const id = Number(msg.id);
      if (!Number.isFinite(id) || this.messages.has(id)) return;
      this.messages.set(id, msg);
      this.maxId = Math.max(this.maxId, id);
      this.insert(this.options.render(msg), (child) => child.dataset.transient !== undefined || Number(child.dataset.id) > id);
    });
    // Move only by what the browser's own scroll anchoring did not, and instantly (the student page
    // scrolls smoothly): the reader must not see the thread slide.
    if (anchor) {
      const moved = anchor.getBoundingClientRect().top - before;
      this.scroller.scrollTo({ top: this.scroller.scrollTop + moved, behavior: "instant" });
    }
    this.lastScrollTop = this.scroller.scrollTop;
  }

  /** Add a server message in id order; its node, or null when it is shown already. */
  add(msg) {
    const settled = msg.client_id ? this.settle(msg.client_id) : false;
    // The streamed bubble leaves once the final message is in place: removing it first would shrink
    // the list for a moment, and the scroll that follows would lose the view's place at the bottom.
    const streamed = msg.stream_id ? this.finishStream(msg.stream_id) : null;
    const who = this.options.typingRoles[msg.role];
    if (who) this.setTyping(who, false);
    const id = Number(msg.id);
    if (!Number.isFinite(id) || this.messages.has(id)) {
      if (streamed) streamed.remove();
      return null;
    }
    this.messages.set(id, msg);
    this.maxId = Math.max(this.maxId, id);
    const node = this.options.render(msg);
    if (streamed) node.classList.add("msg--streamed"); // its text is on screen already: no entrance
    this.insert(node, (child) => child.dataset.transient !== undefined || Number(child.dataset.id) > id);
    if (streamed) streamed.remove();
    if (settled) this.scrollToBottom(true);
    else this.followOrFlag(!this.options.isOwn(msg));
    return node;
  }

  /** A card (a booking, a rating form) goes after the messages so far, before anything unsent. */
  addCard(node) {
    this.insert(node, (child) => child.dataset.transient !== undefined);
    this.followOrFlag(true);
  }

  /** The viewer's unsent message: always last until the server has it. */
  addOutgoing(node, clientId) {
    node.dataset.transient = "outgoing";
    this.outgoing.set(clientId, node);
    this.list.append(node);
    this.scrollToBottom(true);
  }

  /** The server has it (or it is shown already): drop the local bubble. True when there was one. */
  settle(clientId) {
    const node = this.outgoing.get(clientId);
    this.outgoing.delete(clientId);
    if (node) node.remove();
    return Boolean(node);
  }

  /** message_delta: grow the reply's bubble, or drop it on `reset` (a tool call follows). */
  delta(data) {
    const streamId = typeof data.stream_id === "string" ? data.stream_id : "";
    // A delta after its final message (say, from a slower process) must not leave a bubble behind.
    if (!streamId || this.finishedStreams.has(streamId)) return;
    let node = this.streams.get(streamId);
    if (data.reset) {
      if (node) {
        node.remove();
        this.streams.delete(streamId);
        this.setTyping("assistant", true); // the text so far is dropped: still thinking
      }
      return;
    }
    if (typeof data.delta !== "string" || !data.delta) return;
    if (!node) {
      node = this.options.render({ role: ROLE.AI, message: "", model_label: this.options.streamAuthor() });
      node.classList.add("msg--streaming");
      node.dataset.streamId = streamId;
      node.dataset.transient = "stream";
      node.setAttribute("aria-busy", "true"); // the final message is announced, not every piece
      this.streams.set(streamId, node);
      this.insert(node, (child) => child.dataset.transient === "outgoing");
      if (!this.stick) this.pill.hidden = false;
    }
    node.querySelector(".msg__bubble").textContent += data.delta;
    this.setTyping("assistant", false);
    if (this.stick) this.scrollToBottom(false);
  }

  finishStream(streamId) {
    this.finishedStreams.add(streamId);
    const node = this.streams.get(streamId) || null;
    this.streams.delete(streamId);
    return node;
  }

  /** Half-written replies lost with the connection; joining again brings the finished ones. */
  dropStreams() {
    this.streams.forEach((node) => node.remove());
    this.streams.clear();
  }

  /** Show `who` typing; it lapses after `ms` unless renewed (0: until told otherwise). */
  setTyping(who, on, ms) {
    window.clearTimeout(this.typingTimers.get(who));
    const timer = on ? window.setTimeout(() => { if (ms) this.setTyping(who, false); }, ms || 2 ** 31 - 1) : 0;
    this.typingTimers.set(who, timer);
    const showing = Array.from(this.typingTimers.keys()).find((name) => this.typingTimers.get(name));
    const wasHidden = this.typing.hidden;
    this.typing.hidden = !showing;
    if (!showing) return;
    this.typing.dataset.who = showing;
    this.typingText.textContent = this.options.typingText[showing];
    if (wasHidden && this.stick) this.scrollToBottom(true);
  }

  isTyping(who) {
    return Boolean(this.typingTimers.get(who));
  }

  scrollToBottom(smooth) {
    this.stick = true;
    this.pill.hidden = true;
    const behavior = smooth && this.options.smooth && !reducedMotion.matches ? "smooth" : "auto";
    this.scroller.scrollTo({ top: this.scroller.scrollHeight, behavior });
  }

  followOrFlag(flag) {
    if (this.stick) this.scrollToBottom(true);
    else if (flag) this.pill.hidden = false;
  }

  nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  insert(node, stopsAt) {
    const before = Array.from(this.list.children).find(stopsAt);
    this.list.insertBefore(node, before || null);
  }
}
