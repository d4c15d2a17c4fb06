/* The planning-poker overlay: who has voted (never the cards) until the reveal, then the cards. */
"use strict";

(() => {
  const session = document.body.dataset.key;

  function item(name, mark, voted) {
    const entry = document.createElement("li");
    entry.dataset.participant = name;
    entry.dataset.voted = voted ? "yes" : "no";
    const who = document.createElement("span");
    who.className = "name";
    who.textContent = name;
    const card = document.createElement("span");
    card.className = "card-face";
    card.textContent = mark;
    entry.append(who, card);
    return entry;
  }

  function describe(result) {
    const parts = [];
    if (result.median !== null) parts.push("Median " + result.median);
    if (result.min !== null && result.min !== result.max) parts.push("range " + result.min + "-" + result.max);
    if (result.consensus) parts.push("Agreed!");
    else if (result.outliers.length) parts.push("No consensus: " + result.outliers.join(", ") + " to explain");
    else parts.push("No estimates");
    return parts.join(" · ");
  }

  function render(state) {
    const main = document.getElementById("poker");
    const voters = document.getElementById("voters");
    const result = document.getElementById("result");
    Overlay.show("session", "Planning poker · " + state.session_id);
    const prompt = state.prompt;
    result.hidden = !(prompt && prompt.result);
    if (!prompt) {
      main.dataset.state = state.closed ? "closed" : "waiting";
      Overlay.show("prompt", state.closed ? "This session is closed" : "Waiting for a story…");
      Overlay.show("progress", state.participants.length + " joined");
      voters.replaceChildren(...state.participants.map((name) => item(name, "", false)));
      return;
    }
    main.dataset.state = state.closed ? "closed" : prompt.revealed ? "revealed" : "voting";
    Overlay.show("prompt", prompt.prompt);
    const voted = prompt.voters.filter((voter) => voter.voted).length;
    Overlay.show(
      "progress",
      prompt.revealed ? "Round " + prompt.round + " revealed" : voted + " of " + prompt.voters.length + " voted",
    );
    voters.replaceChildren(
      ...prompt.voters.map((voter) =>
        item(voter.participant_id, prompt.revealed ? voter.vote || "-" : voter.voted ? "✓" : "…", voter.voted),
      ),
    );
    if (prompt.result) result.textContent = describe(prompt.result);
  }

  Overlay.start({
    statePath: "/api/overlay/poker/" + encodeURIComponent(session),
    topic: { poker: session },
    render,
    onEvent: (event, refresh) => refresh(),
  });
})();
