/* The coffee overlay: a group's leaderboard, the most generous first. */
"use strict";

(() => {
  const group = document.body.dataset.key;
  let balances = new Map();

  function signed(balance) {
    return balance > 0 ? "+" + balance : balance < 0 ? "−" + -balance : "0";
  }

  function render(state) {
    Overlay.show("group", state.group_name);
    const list = document.getElementById("leaderboard");
    const seen = new Map();
    const entries = state.leaderboard.map((standing) => {
      const entry = document.createElement("li");
      entry.dataset.user = String(standing.user_id);
      const rank = document.createElement("span");
      rank.className = "rank";
      rank.textContent = String(standing.rank);
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = standing.display_name;
      const balance = document.createElement("span");
      balance.className = "balance";
      balance.textContent = signed(standing.balance);
      entry.append(rank, name, balance);
      const before = balances.get(standing.user_id);
      if (before !== undefined && before !== standing.balance) Overlay.bump(balance);
      seen.set(standing.user_id, standing.balance);
      return entry;
    });
    balances = seen;
    list.replaceChildren(...entries);
  }

  Overlay.start({
    statePath: "/api/overlay/coffee/" + encodeURIComponent(group),
    topic: { coffee: group },
    render,
    onEvent: (event, refresh) => refresh(),
  });
})();
