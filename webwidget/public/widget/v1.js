/*! AnswerPal web chat widget v1 — embed with:
 *  <script src="https://YOUR-ANSWERPAL/widget/v1.js" data-channel-token="CHANNEL-TOKEN" async></script>
 * Plain ES2017, no dependencies. Everything lives in a Shadow DOM under <answerpal-chat>, so the page's CSS
 * cannot reach it and its CSS cannot reach the page. The conversation's ticket token is kept in localStorage
 * (per channel), so a reload continues the chat. Lines arrive live as Server-Sent Events; where a proxy blocks
 * streams the widget polls GET /api/WebChat/{channelToken}/messages instead.
 * Lines are shown in server order (message id), whatever order they arrive in: the AI's answer streaming in sits
 * right under the visitor's question it answers, and disappears at once when the server cancels it (`ai.status`,
 * escalation) or nothing more arrives for STREAM_STALE_MS; the stored answer then replaces it, or nothing does.
 * The launcher shows only once the channel's settings answered (a site the channel does not allow gets no launcher);
 * with a conversation under way the stream stays connected while the panel is closed, so replies raise an unread
 * badge (and, when the channel turns it on, a short sound). Everything a server or a person wrote is inserted as
 * text (textContent), never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-channel-token]");
  if (!script || !script.getAttribute("data-channel-token")) return;
  var channelToken = script.getAttribute("data-channel-token");
  if (document.querySelector('answerpal-chat[data-channel-token="' + channelToken + '"]')) return;
  var origin = new URL(script.src, location.href).origin;
  var api = origin + "/api/WebChat/" + encodeURIComponent(channelToken);
  var storeKey = "answerpal.chat." + channelToken;
  var POLL_MS = 3000;
  var THUMB = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6' +
    'v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1c.1-.2.2-.5' +
    '.2-.7v-2z"/></svg>';
  var TYPING_MS = 45000;
  var REP_TYPING_MS = 10000;
  var STREAM_STALE_MS = 30000;

  var texts = {
    title: "Chat with us", launcher: "Open the chat", close: "Close the chat", send: "Send",
    placeholder: "Type your question…", you: "You", ai: "AI assistant", rep: "Support",
    notAllowed: "The chat is not available on this website.", error: "Something went wrong. Please try again.",
    reconnecting: "Connection lost, reconnecting…"
  };
  var config = null;
  var state = load();
  var lines = {};
  var lastId = 0;
  var stream = null;
  var streamErrors = 0;
  var pollTimer = null;
  var typingTimer = null;
  var ready = null;
  var configAt = 0;
  var escalating = false;
  var live = false;
  var unread = 0;
  var audio = null;
  var narrow = window.matchMedia ? window.matchMedia("(max-width:480px)") : { matches: false };

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode: this page only */ }
  }
  function mark(name) {  // User Timing marks: answerpal:open, :question, :first-delta, :answer (measurable by a page)
    if (window.performance && performance.mark) performance.mark(name);
  }

  // --- DOM (Shadow DOM) ---------------------------------------------------------------------------------------
  var host = document.createElement("answerpal-chat");
  host.setAttribute("data-channel-token", channelToken);
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial!important;position:fixed!important;right:20px!important;bottom:20px!important;" +
    "z-index:2147483000!important;display:block!important;font:15px/1.45 system-ui,-apple-system,'Segoe UI'," +
    "Roboto,sans-serif!important;color:#111827!important;--accent:#2563eb;--on-accent:#fff;--accent-text:#2563eb}" +
    ":host(:not([data-ready])){display:none!important}" +
    ":host([data-position=left]){right:auto!important;left:20px!important}" +
    "*{box-sizing:border-box}" +
    ".launcher{position:relative;width:56px;height:56px;border-radius:50%;border:0;background:var(--accent);" +
    "color:var(--on-accent);cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;" +
    "justify-content:center}" +
    ".badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;" +
    "background:#b91c1c;color:#fff;font-size:12px;font-weight:700;line-height:20px;text-align:center}" +
    ".badge[hidden],.away[hidden],.consent[hidden],.restart[hidden]{display:none}" +
    ".launcher svg{width:28px;height:28px;fill:currentColor}" +
    "button:focus-visible,textarea:focus-visible,input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}" +
    ".panel{position:fixed;right:20px;bottom:88px;width:360px;height:540px;max-height:calc(100vh - 100px);" +
    "background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);display:flex;flex-direction:column;" +
    "overflow:hidden}" +
    ":host([data-position=left]) .panel{right:auto;left:20px}" +
    ".panel[hidden]{display:none}" +
    "header{background:var(--accent);color:var(--on-accent);padding:12px 14px;display:flex;align-items:center;gap:8px}" +
    "header h2{font-size:16px;margin:0;flex:1;font-weight:600}" +
    ".close{background:transparent;border:0;color:inherit;font-size:22px;line-height:1;cursor:pointer;padding:4px 8px}" +
    ".restart{background:transparent;border:1px solid currentColor;color:inherit;border-radius:12px;font-size:13px;" +
    "padding:2px 10px;cursor:pointer}" +
    ".away{margin:0;padding:8px 12px;background:#fffbeb;color:#78350f;border-bottom:1px solid #fde68a;font-size:13px}" +
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;background:#f9fafb}" +
    ".intro{color:#4b5563;font-size:14px;margin:0}" +
    ".line{max-width:85%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}" +
    ".line .who{display:block;font-size:12px;font-weight:600;margin-bottom:2px}" +
    ".line p{margin:0}" +
    ".visitor{align-self:flex-end;background:var(--accent);color:var(--on-accent)}" +
    ".ai{align-self:flex-start;background:#fff;border:1px solid #e5e7eb}" +
    ".rep{align-self:flex-start;background:#ecfdf5;border:1px solid #a7f3d0}" +
    ".note{align-self:center;font-size:13px;color:#374151;background:#e5e7eb;border-radius:8px;padding:6px 10px}" +
    ".rate{display:flex;gap:6px;margin-top:6px}" +
    ".rate button{border:1px solid #d1d5db;background:#fff;border-radius:14px;padding:2px 10px;cursor:pointer;" +
    "font-size:13px;color:#111827}" +
    ".rate button[aria-pressed=true]{background:#111827;color:#fff;border-color:#111827}" +
    ".rate svg{width:14px;height:14px;fill:currentColor;vertical-align:-2px}.rate .dislike svg{transform:rotate(180deg)}" +
    ".typing{font-size:13px;color:#6b7280;padding:0 14px 6px;background:#f9fafb}" +
    ".typing[hidden],.notice[hidden],form[hidden],.bar[hidden]{display:none}" +
    ".notice{margin:10px;padding:10px;border-radius:8px;background:#fef2f2;color:#991b1b;border:1px solid #fecaca}" +
    ".bar{display:flex;justify-content:flex-end;padding:6px 10px 0;background:#fff;border-top:1px solid #e5e7eb}" +
    ".escalate{background:transparent;border:1px solid var(--accent-text);color:var(--accent-text);border-radius:14px;" +
    "padding:3px 12px;cursor:pointer;font-size:13px}" +
    ".escalate:disabled{opacity:.5;cursor:default}" +
    ".compose{display:flex;gap:8px;padding:10px;background:#fff}" +
    "textarea,input{font:inherit;color:#111827;border:1px solid #d1d5db;border-radius:10px;padding:8px 10px;" +
    "background:#fff;width:100%}" +
    "textarea,input{font-size:16px}" +  // iOS zooms into fields under 16 px
    "textarea{flex:1;resize:none;height:42px;max-height:120px}" +
    ".send,.start{background:var(--accent);color:var(--on-accent);border:0;border-radius:10px;padding:0 14px;" +
    "cursor:pointer;" +
    "font:inherit;font-weight:600}" +
    ".send:disabled{opacity:.5}" +
    ".attach{background:transparent;border:0;color:#4b5563;cursor:pointer;padding:0 2px}" +
    ".attach svg{width:22px;height:22px;fill:currentColor}" +
    ".files{margin:4px 0 0;padding:0;list-style:none}.files a{color:inherit;text-decoration:underline}" +
    ".consent{margin:0;padding:0 10px 8px;background:#fff;font-size:12px;color:#4b5563}" +
    ".prechat .consent{padding:0}" +
    ".consent a{color:#1d4ed8;text-decoration:underline}" +
    ".prechat{padding:14px;display:flex;flex-direction:column;gap:10px;background:#fff;flex:1}" +
    ".prechat label{font-size:13px;font-weight:600;display:flex;flex-direction:column;gap:4px}" +
    ".start{padding:10px 14px}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    "@media (max-width:480px){:host{right:12px!important;bottom:12px!important}" +
    ":host([data-position=left]){right:auto!important;left:12px!important}" +
    ".panel,:host([data-position=left]) .panel{position:fixed;inset:0;width:auto;height:auto;max-height:none;" +
    "border-radius:0}}" +
    "</style>" +
    '<button class="launcher" type="button" aria-expanded="false" aria-controls="ap-panel">' +
    '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1' +
    ' 2-2z"/></svg><span class="badge" aria-hidden="true" hidden></span></button>' +
    '<section class="panel" id="ap-panel" role="dialog" aria-labelledby="ap-title" hidden>' +
    '<header><h2 id="ap-title"></h2><button class="restart" type="button" hidden></button>' +
    '<button class="close" type="button">&times;</button></header>' +
    '<p class="away" role="status" hidden></p>' +
    '<div class="notice" role="alert" hidden></div>' +
    '<form class="prechat" hidden novalidate><p class="intro ap-prechat-intro"></p>' +
    '<label><span class="ap-name-label"></span><input name="name" autocomplete="name" maxlength="200"></label>' +
    '<label><span class="ap-email-label"></span><input name="email" type="email" autocomplete="email" ' +
    'maxlength="254"></label><p class="consent" hidden></p><button class="start" type="submit"></button></form>' +
    '<div class="log" role="log" aria-live="polite" aria-relevant="additions"><p class="intro ap-intro"></p></div>' +
    '<div class="typing" aria-live="polite" hidden></div>' +
    '<div class="bar" hidden><button class="escalate" type="button"></button></div>' +
    '<form class="compose"><button class="attach" type="button"><svg viewBox="0 0 24 24" aria-hidden="true">' +
    '<path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0' +
    ' 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z"/></svg></button><input class="file" type="file" hidden tabindex="-1">' +
    '<label class="sr" for="ap-input"></label>' +
    '<textarea id="ap-input" rows="1" maxlength="4000"></textarea>' +
    '<button class="send" type="submit"></button></form>' +
    '<p class="consent" hidden></p>' +
    "</section>";

  function $(selector) { return root.querySelector(selector); }
  var launcher = $(".launcher"), panel = $(".panel"), log = $(".log"), input = $("#ap-input");
  var notice = $(".notice"), typing = $(".typing"), prechat = $(".prechat"), compose = $(".compose");
  var escalateButton = $(".escalate"), sendButton = $(".send"), restartButton = $(".restart"), badge = $(".badge");
  var away = $(".away");

  function applyTexts() {
    $("#ap-title").textContent = (config && config.title) || texts.title;
    launcher.setAttribute("aria-label", texts.launcher);
    $(".close").setAttribute("aria-label", texts.close);
    $(".ap-intro").textContent = texts.intro || "";
    $(".ap-prechat-intro").textContent = texts.prechatIntro || "";
    $(".ap-name-label").textContent = texts.name || "Name";
    $(".ap-email-label").textContent = texts.email || "E-mail";
    $(".start").textContent = texts.start || "Start";
    $("label[for=ap-input]").textContent = texts.placeholder;
    input.placeholder = texts.placeholder;
    sendButton.textContent = texts.send;
    escalateButton.textContent = texts.escalate || "";
    $(".attach").setAttribute("aria-label", texts.attach || "Attach a file");
    typing.textContent = texts.typing || "";
    restartButton.textContent = texts.newConversation || "New conversation";
    away.textContent = (config && config.awayLine) || "";
    away.hidden = !away.textContent;
    Array.prototype.forEach.call(root.querySelectorAll(".consent"), consentLine);
    showUnread();
  }

  function consentLine(element) {  // the tenant's consent / privacy line, with the link to its notice
    var text = texts.consent || "", url = (config && config.consentURL) || "";
    element.textContent = text;
    if (url) {
      var link = document.createElement("a");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = texts.consentLink || "Privacy notice";
      if (text) element.appendChild(document.createTextNode(" "));
      element.appendChild(link);
    }
    element.hidden = !text && !url;
  }

  // --- colours: the tenant's accent with text that stays readable on it (WCAG AA, 4.5:1) ----------------------
  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var value = parseInt(hex.substr(i, 2), 16) / 255;
      return value <= 0.03928 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function darker(hex, factor) {
    return "#" + [1, 3, 5].map(function (i) {
      return ("0" + Math.round(parseInt(hex.substr(i, 2), 16) * factor).toString(16)).slice(-2);
    }).join("");
  }
  function applyColours(accent) {
    if (!/^#[0-9a-fA-F]{6}$/.test(accent || "")) accent = "#2563eb";
    var ink = contrast(accent, "#ffffff") >= contrast(accent, "#111827") ? "#ffffff" : "#111827";
    var onWhite = accent;
    for (var step = 0; step < 20 && contrast(onWhite, "#ffffff") < 4.5; step++) onWhite = darker(onWhite, 0.85);
    host.style.setProperty("--accent", accent);
    host.style.setProperty("--on-accent", ink);
    host.style.setProperty("--accent-text", onWhite);
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  // --- HTTP ---------------------------------------------------------------------------------------------------
  function request(method, path, body) {
    var options = { method: method, credentials: "omit", headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(api + path, options).then(function (response) {
      return response.text().then(function (raw) {
        var data = raw ? JSON.parse(raw) : {};
        if (!response.ok) {
          var error = new Error(data.detail || data.title || response.statusText);
          error.status = response.status;
          error.code = data.code;
          throw error;
        }
        return data;
      });
    });
  }

  function visitorLang() {
    return (navigator.languages && navigator.languages[0]) || navigator.language || "en";
  }

  function loadConfig() {
    return request("GET", "/widget?lang=" + encodeURIComponent(visitorLang())).then(function (data) {
      config = data;
      configAt = Date.now();
      texts = Object.assign(texts, data.texts);
      applyColours(data.accentColor);
      host.setAttribute("data-position", data.position === "Left" ? "left" : "right");
      applyTexts();
      return data;
    });
  }

  // --- conversation -------------------------------------------------------------------------------------------
  function whoOf(line) {
    if (line.kind === "visitor") return texts.you;
    if (line.kind === "ai") return texts.ai;
    return line.customerRepName || texts.rep;
  }

  // Server order: a stored line by its id; an answer streaming in just after the question it answers (replyTo);
  // the visitor's line being sent (no id yet) after every line (and stream) known when it was sent.
  function orderOf(element) {
    if (element.hasAttribute("data-id")) return Number(element.getAttribute("data-id"));
    if (element.hasAttribute("data-reply-to")) return Number(element.getAttribute("data-reply-to")) + 0.5;
    if (element.hasAttribute("data-order")) return Number(element.getAttribute("data-order"));
    return Infinity;
  }

  function placeLine(element) {
    var order = orderOf(element), later = null;
    Array.prototype.some.call(log.querySelectorAll(".line,.note"), function (other) {
      if (other !== element && orderOf(other) > order) { later = other; return true; }
      return false;
    });
    log.insertBefore(element, later);
  }

  function dropStream(replyTo) {
    var selector = replyTo ? '.line.streaming[data-reply-to="' + replyTo + '"]' : ".line.streaming";
    Array.prototype.forEach.call(log.querySelectorAll(selector), function (element) {
      clearTimeout(element.staleTimer);
      element.remove();
    });
  }

  function rateButtons(line) {
    var box = document.createElement("div");
    box.className = "rate";
    [[true, texts.like || "Helpful"], [false, texts.dislike || "Not helpful"]].forEach(function (item) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = item[0] ? "like" : "dislike";
      button.innerHTML = THUMB;
      button.setAttribute("aria-label", item[1]);
      button.setAttribute("aria-pressed", String(line.isLiked === item[0]));
      button.addEventListener("click", function () { rate(line.messageID, item[0], box); });
      box.appendChild(button);
    });
    return box;
  }

  function addLine(line) {
    if (lines[line.messageID]) return;
    lines[line.messageID] = line;
    lastId = Math.max(lastId, line.messageID);
    if (line.kind === "visitor") {
      Array.prototype.some.call(log.querySelectorAll(".line.pending"), function (pending) {
        if (pending.getAttribute("data-text") !== String(line.message).slice(0, 200)) return false;
        pending.remove();
        return true;
      });
    }
    if (line.replyTo) dropStream(line.replyTo);
    var element = document.createElement("div");
    element.className = "line " + line.kind;
    element.setAttribute("data-id", line.messageID);
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = whoOf(line);
    var text = document.createElement("p");
    text.textContent = line.message;
    element.appendChild(who);
    element.appendChild(text);
    if (line.attachments && line.attachments.length) element.appendChild(fileList(line.attachments));
    if (line.kind === "ai") element.appendChild(rateButtons(line));
    placeLine(element);
    if (line.kind !== "visitor") setTyping(false);
    if (line.kind === "ai") mark("answerpal:answer");
    if (line.kind !== "visitor" && panel.hidden && line.messageID > (state.seenId === undefined ? Infinity : state.seenId)) {
      unread += 1;
      showUnread();
      if (live && config && config.sound) chime();
    }
    if (!panel.hidden) seen();
    log.scrollTop = log.scrollHeight;
  }

  function seen() {
    if ((state.seenId || 0) >= lastId && !unread) return;
    state.seenId = Math.max(state.seenId || 0, lastId);
    unread = 0;
    save();
    showUnread();
  }

  function showUnread() {
    badge.textContent = unread > 9 ? "9+" : String(unread);
    badge.hidden = !unread;
    var label = texts.launcher;
    if (unread) label += ", " + (texts.unread || "{count} new messages").replace("{count}", unread);
    launcher.setAttribute("aria-label", label);
  }

  function chime() {  // a short soft tone (Web Audio: no file to load); marked for pages that measure
    mark("answerpal:sound");
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio = audio || new Context();
      var tone = audio.createOscillator(), gain = audio.createGain(), now = audio.currentTime;
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, now);
      gain.gain.exponentialRampToValueAtTime(0.15, now + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.35);
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start(now);
      tone.stop(now + 0.4);
    } catch (e) { /* no audio here: the badge still shows */ }
  }

  function fileList(attachments) {
    var list = document.createElement("ul");
    list.className = "files";
    attachments.forEach(function (attachment) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = origin + attachment.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = attachment.fileName + " (" + Math.max(1, Math.round(attachment.size / 1024)) + " KB)";
      item.appendChild(link);
      list.appendChild(item);
    });
    return list;
  }

  var closedReplies = {};  // replyTo ids whose answer was withheld or ended: a late delta opens no new bubble

  function addDelta(event) {
    // After "Talk to a person" (or a person took over) no AI text is shown, even a delta already on its way.
    if (state.escalated || closedReplies[event.replyTo]) return;
    var element = log.querySelector('.line.streaming[data-reply-to="' + event.replyTo + '"]');
    if (!element) {
      mark("answerpal:first-delta");
      element = document.createElement("div");
      element.className = "line ai streaming";
      element.setAttribute("data-reply-to", event.replyTo);
      element.setAttribute("aria-busy", "true");
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = texts.ai;
      element.appendChild(who);
      element.appendChild(document.createElement("p"));
      placeLine(element);
      setTyping(false);
    }
    clearTimeout(element.staleTimer);
    element.staleTimer = setTimeout(function () { dropStream(event.replyTo); }, STREAM_STALE_MS);
    element.querySelector("p").textContent += event.delta;
    log.scrollTop = log.scrollHeight;
  }

  function addNote(text, order) {  // a note sits where it was said: after the lines known then
    var note = document.createElement("div");
    note.className = "note";
    note.textContent = text;
    note.setAttribute("data-order", String(order === undefined ? lastId + 0.95 : order));
    placeLine(note);
    log.scrollTop = log.scrollHeight;
    return note;
  }

  function setTyping(on, text, ms) {
    clearTimeout(typingTimer);
    typing.textContent = text || texts.typing || "";
    typing.hidden = !on;
    if (on) typingTimer = setTimeout(function () { typing.hidden = true; }, ms || TYPING_MS);
  }

  function setEscalated(note) {
    if (state.escalated) return;
    state.escalated = true;
    escalateButton.disabled = true;
    if (note) {  // kept (with its place) so a reload shows it again
      state.escalatedNote = { text: note, order: lastId + 0.95 };
      addNote(note, state.escalatedNote.order);
    }
    save();
  }

  function awayNote(text) {
    return config && config.awayLine ? text + " " + config.awayLine : text;
  }

  // --- live delivery: Server-Sent Events, else polling ------------------------------------------------------
  function connect() {
    if (!state.ticketToken || stream || pollTimer) return Promise.resolve();
    if (!window.EventSource) { startPolling(); return Promise.resolve(); }
    return new Promise(function (resolve) {
      var url = origin + config.streamPath + "?ticketToken=" + encodeURIComponent(state.ticketToken) +
        "&after=" + lastId;
      stream = new EventSource(url);
      stream.addEventListener("message", function (e) { addLine(JSON.parse(e.data)); });
      stream.addEventListener("ai.delta", function (e) { addDelta(JSON.parse(e.data)); });
      stream.addEventListener("ai.status", function (e) {  // no answer comes (or it was withheld): drop the draft
        var replyTo = JSON.parse(e.data).replyTo;
        closedReplies[replyTo] = true;
        dropStream(replyTo);
        setTyping(false);
      });
      stream.addEventListener("ticket", function (e) {
        if (!JSON.parse(e.data).escalated) return;
        dropStream(null);  // a person takes over: nothing the AI was writing is shown
        setTyping(false);
        if (!escalating) setEscalated(awayNote(texts.escalated));
      });
      stream.addEventListener("typing", function (e) {  // a representative is writing (or stopped)
        var data = JSON.parse(e.data);
        var who = data.name || texts.rep;
        setTyping(!!data.isTyping, (texts.repTyping || "{name} is typing…").replace("{name}", who), REP_TYPING_MS);
      });
      stream.addEventListener("ready", function () { live = true; streamErrors = 0; showNotice(""); resolve(); });
      stream.onerror = function () {
        streamErrors += 1;
        if (stream.readyState === EventSource.CLOSED || streamErrors >= 3) {
          stream.close();
          stream = null;
          startPolling();  // a proxy that buffers or blocks streams: fall back to polling
          resolve();
        } else {
          showNotice(texts.reconnecting);
        }
      };
    });
  }

  function startPolling() {
    if (pollTimer) return;
    var poll = function () {
      request("GET", "/messages?ticketToken=" + encodeURIComponent(state.ticketToken) + "&after=" + lastId)
        .then(function (data) {
          showNotice("");
          data.items.forEach(function (item) {
            var kind = item.senderType === "EndUser" ? "visitor" : item.senderType === "System" ? "ai" : "rep";
            addLine(Object.assign({ kind: kind, isLiked: null, replyTo: null }, item));
          });
        })
        .catch(function () { showNotice(texts.reconnecting); });
    };
    poll();
    pollTimer = setInterval(poll, POLL_MS);
  }

  // --- actions ------------------------------------------------------------------------------------------------
  function startConversation(name, email) {
    return request("POST", "/conversations", { name: name || "", email: email || "" }).then(function (data) {
      state.ticketToken = data.ticketToken;
      state.name = name || "";
      state.seenId = 0;
      save();
      restartButton.hidden = false;
      return connect();
    });
  }

  function send(text) {
    var pending = document.createElement("div");
    pending.className = "line visitor pending";
    pending.setAttribute("data-text", text.slice(0, 200));
    pending.setAttribute("data-order", String(lastId + 0.9));
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = texts.you;
    var body = document.createElement("p");
    body.textContent = text;
    pending.appendChild(who);
    pending.appendChild(body);
    placeLine(pending);
    log.scrollTop = log.scrollHeight;
    mark("answerpal:question");
    if (config.aiAnswers && !state.escalated) setTyping(true);
    var started = state.ticketToken ? connect() : startConversation(state.name, "");
    return started
      .then(function () {
        return request("POST", "/messages", {
          ticketToken: state.ticketToken, message: text, pageURL: location.href.slice(0, 2000), name: state.name || ""
        });
      })
      .then(function (data) {
        pending.setAttribute("data-id", data.messageID);
        if (!lines[data.messageID]) {
          pending.classList.remove("pending");
          placeLine(pending);  // acknowledged: in server order among the lines that arrived meanwhile
          lines[data.messageID] = { messageID: data.messageID, kind: "visitor", message: text };
          lastId = Math.max(lastId, data.messageID);
        } else {
          pending.remove();
        }
        escalateButton.parentNode.hidden = false;
      })
      .catch(function (error) {
        pending.remove();
        setTyping(false);
        showNotice(error.message || texts.error);
      });
  }

  function upload(file) {
    if (file.size > config.maxUploadBytes) { showNotice(texts.fileTooLarge || texts.error); return; }
    var caption = input.value.trim();
    input.value = "";
    mark("answerpal:question");
    if (config.aiAnswers && !state.escalated) setTyping(true);
    var started = state.ticketToken ? connect() : startConversation(state.name, "");
    started
      .then(function () {
        var form = new FormData();
        form.append("ticketToken", state.ticketToken);
        form.append("file", file);
        form.append("message", caption);
        form.append("pageURL", location.href.slice(0, 2000));
        return fetch(api + "/files", { method: "POST", body: form, credentials: "omit" }).then(function (response) {
          if (!response.ok) {
            return response.json().then(function (data) {
              throw new Error(response.status === 413 ? texts.fileTooLarge : data.detail || texts.error);
            });
          }
          escalateButton.parentNode.hidden = false;  // the line itself arrives with the stream (or the poll)
        });
      })
      .catch(function (error) {
        setTyping(false);
        showNotice(error.message || texts.error);
      });
  }

  function rate(messageId, like, box) {
    request("POST", "/feedback", { ticketToken: state.ticketToken, like: like })
      .then(function (data) {
        box.querySelector(".like").setAttribute("aria-pressed", String(like));
        box.querySelector(".dislike").setAttribute("aria-pressed", String(!like));
        addNote(texts.feedbackThanks || "");
        if (!like && !state.escalated) escalateButton.focus();
        return data;
      })
      .catch(function (error) { showNotice(error.message || texts.error); });
  }

  function escalate() {
    escalateButton.disabled = true;
    escalating = true;
    request("POST", "/escalate?lang=" + encodeURIComponent(visitorLang()), {
      ticketToken: state.ticketToken, aI_FeedbackComment: ""
    })
      .then(function (data) {
        setEscalated(data.awayLine ? data.message + " " + data.awayLine : data.message);
      })
      .catch(function (error) {
        escalating = false;
        escalateButton.disabled = false;
        showNotice(error.message || texts.error);
      });
  }

  // --- new conversation ---------------------------------------------------------------------------------------
  function restart() {
    if (stream) { stream.close(); stream = null; }
    clearInterval(pollTimer);
    pollTimer = null;
    lines = {};
    lastId = 0;
    live = false;
    escalating = false;
    unread = 0;
    Array.prototype.forEach.call(log.querySelectorAll(".line,.note"), function (element) { element.remove(); });
    state = { open: true, name: state.name || "" };
    save();
    setTyping(false);
    showNotice("");
    escalateButton.disabled = false;
    escalateButton.parentNode.hidden = true;
    restartButton.hidden = true;
    showForm();
  }

  function showForm() {  // the pre-chat form until a conversation exists (when the channel asks for it)
    var asking = config.prechatForm !== "Off" && !state.ticketToken;
    prechat.hidden = !asking;
    compose.hidden = asking;
    log.hidden = asking;
    (asking ? prechat.querySelector("input") : input).focus();
  }

  // --- open / close; on a phone the panel covers the page: a modal dialog that keeps the focus ------------------
  function focusables() {
    return Array.prototype.filter.call(
      panel.querySelectorAll("button, textarea, input:not([type=file]), a[href]"),
      function (element) { return !element.disabled && element.getClientRects().length > 0; }
    );
  }

  function trapFocus(event) {
    if (event.key !== "Tab" || panel.getAttribute("aria-modal") !== "true") return;
    var items = focusables();
    if (!items.length) return;
    var first = items[0], last = items[items.length - 1], active = root.activeElement;
    if (event.shiftKey && (active === first || items.indexOf(active) < 0)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || items.indexOf(active) < 0)) {
      event.preventDefault();
      first.focus();
    }
  }

  function fitViewport() {  // the on-screen keyboard shrinks the visual viewport: the panel follows it
    var viewport = window.visualViewport;
    if (!viewport || panel.hidden || !narrow.matches) {
      panel.style.top = panel.style.height = panel.style.bottom = "";
      return;
    }
    panel.style.top = Math.round(viewport.offsetTop) + "px";
    panel.style.height = Math.round(viewport.height) + "px";
    panel.style.bottom = "auto";
    log.scrollTop = log.scrollHeight;
  }

  function layout() {
    if (narrow.matches) panel.setAttribute("aria-modal", "true");
    else panel.removeAttribute("aria-modal");
    fitViewport();
  }

  function open() {
    mark("answerpal:opening");
    return ready.then(function (allowed) {
      if (!allowed) return;
      var first = panel.hidden;
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      state.open = true;
      save();
      layout();
      seen();
      if (first) {
        escalateButton.parentNode.hidden = !state.ticketToken;
        escalateButton.disabled = !!state.escalated;
        restartButton.hidden = !state.ticketToken;
        showForm();
      }
      mark("answerpal:open");
      host.setAttribute("data-state", "open");
      if (first && config.hours && config.hours.configured && Date.now() - configAt > 60000) {
        loadConfig().catch(function () { /* the away line shown stays */ });  // the hours moved on meanwhile
      }
      return connect();
    });
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    save();
    fitViewport();
    host.setAttribute("data-state", "closed");
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) open(); else close(); });
  $(".close").addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
    else trapFocus(event);
  });
  restartButton.addEventListener("click", restart);
  if (narrow.addEventListener) narrow.addEventListener("change", layout);
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fitViewport);
    window.visualViewport.addEventListener("scroll", fitViewport);
  }
  escalateButton.addEventListener("click", escalate);
  $(".attach").addEventListener("click", function () { if (config) $(".file").click(); });
  $(".file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    event.target.value = "";
    if (file) upload(file);
  });
  compose.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !config) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      compose.requestSubmit ? compose.requestSubmit() : compose.dispatchEvent(new Event("submit"));
    }
  });
  prechat.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = prechat.elements.name.value.trim(), email = prechat.elements.email.value.trim();
    if (config.prechatForm === "Required" && (!name || !email || !prechat.elements.email.checkValidity())) {
      showNotice(texts.name + ", " + texts.email + "?");
      return;
    }
    startConversation(name, email).then(function () {
      showNotice("");
      showForm();
    }, function (error) { showNotice(error.message || texts.error); });
  });

  mark("answerpal:loaded");
  applyTexts();
  (document.body || document.documentElement).appendChild(host);
  window.AnswerPalChat = { open: open, close: close };
  // The channel's settings first: only a site the channel allows gets a launcher.
  ready = loadConfig().then(
    function () { return true; },
    function (error) {
      config = null;
      var refused = error.code === "HostnameNotAllowed";
      host.setAttribute("data-state", refused ? "refused" : "unavailable");
      if (window.console) console.warn("AnswerPal chat: " + (refused ? texts.notAllowed : error.message));
      return false;
    }
  );
  ready.then(function (allowed) {
    if (!allowed) return;
    host.setAttribute("data-ready", "");
    host.setAttribute("data-state", "closed");
    if (state.escalated && state.escalatedNote) addNote(state.escalatedNote.text, state.escalatedNote.order);
    if (state.open) open();
    else connect();  // a conversation under way: replies raise the unread badge while the panel is closed
  });
})();
