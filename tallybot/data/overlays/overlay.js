/* Shared by every overlay page.
 *
 * A page fetches its state over HTTP when it opens and again after every reconnect, so it
 * never depends on having seen every event. Between fetches, events arrive over the
 * WebSocket at /api/events, or over Server-Sent Events at /api/events/stream once
 * WebSockets have failed twice (or ?transport=sse asks for them). A lost stream is opened
 * again after a delay that doubles from half a second up to ten seconds.
 */
"use strict";

const Overlay = (() => {
  const page = document.body.dataset;
  const params = new URLSearchParams(window.location.search);
  const token = params.get("token");
  const forced = params.get("transport");
  const FIRST_DELAY = 500;
  const LAST_DELAY = 10000;

  function url(path, topic) {
    const query = new URLSearchParams(topic || {});
    if (token) query.set("token", token);
    const text = query.toString();
    return page.base + path + (text ? "?" + text : "");
  }

  function show(id, text) {
    const element = document.getElementById(id);
    element.textContent = text;
    return element;
  }

  function bump(element) {
    element.classList.remove("bump");
    void element.offsetWidth; // restarts the animation when it is still running
    element.classList.add("bump");
  }

  function showError(message) {
    const element = document.getElementById("error");
    element.hidden = !message;
    element.textContent = message || "";
  }

  function setConnection(state) {
    document.body.dataset.connection = state;
    document.getElementById("connection").hidden = state !== "reconnecting";
  }

  function start({ statePath, topic, render, onEvent }) {
    let delay = FIRST_DELAY;
    let socketFailures = 0;
    let latest = 0;
    let loading = false;
    let queued = null;

    async function refresh() {
      const ticket = ++latest;
      loading = true;
      try {
        const response = await fetch(url(statePath), { cache: "no-store" });
        const body = await response.json();
        if (ticket !== latest) {
          // Counted on the page, so that a test can wait for an overtaken answer to be thrown away.
          page.discarded = String(Number(page.discarded || 0) + 1);
          return;
        }
        if (!response.ok) {
          showError(body.error || response.statusText);
          return;
        }
        showError(null);
        render(body);
      } catch (error) {
        if (ticket === latest) showError("tallybot cannot be reached");
      } finally {
        if (ticket === latest) loading = false;
      }
    }

    function refreshSoon() {
      if (queued !== null) return;
      queued = setTimeout(() => {
        queued = null;
        refresh();
      }, 30);
    }

    function receive(text) {
      let event;
      try {
        event = JSON.parse(text);
      } catch (error) {
        return;
      }
      if (!event || typeof event.type !== "string" || !event.data) return;
      if (loading) {
        // The state being fetched may have been read before this event: its answer would undo it.
        latest += 1;
        loading = false;
        refreshSoon();
      }
      onEvent(event, refreshSoon);
    }

    function opened(kind) {
      delay = FIRST_DELAY;
      setConnection("live-" + kind);
      refresh();
    }

    function lost() {
      setConnection("reconnecting");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, LAST_DELAY);
    }

    function openSocket() {
      const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      let socket;
      try {
        socket = new WebSocket(scheme + window.location.host + url("/api/events", topic));
      } catch (error) {
        // The browser refuses to open one at all.
        socketFailures += 1;
        lost();
        return;
      }
      let wasOpen = false;
      socket.onopen = () => {
        wasOpen = true;
        socketFailures = 0;
        opened("ws");
      };
      socket.onmessage = (message) => receive(message.data);
      socket.onclose = () => {
        if (wasOpen) {
          lost();
          return;
        }
        // A socket that never opened counts against WebSockets only while plain HTTP gets
        // through (a proxy refuses them); a server that is down or restarting refuses both.
        fetch(url(statePath), { cache: "no-store" })
          .then(() => {
            socketFailures += 1;
          })
          .catch(() => {})
          .finally(lost);
      };
    }

    function openEventSource() {
      const source = new EventSource(url("/api/events/stream", topic));
      source.onopen = () => opened("sse");
      source.onmessage = (message) => receive(message.data);
      source.onerror = () => {
        source.close();
        lost();
      };
    }

    function connect() {
      const socketsWork = typeof window.WebSocket === "function" && socketFailures < 2;
      if (forced === "sse" || (forced !== "ws" && !socketsWork)) openEventSource();
      else openSocket();
    }

    setConnection("connecting");
    refresh();
    connect();
  }

  return { start, show, bump };
})();
