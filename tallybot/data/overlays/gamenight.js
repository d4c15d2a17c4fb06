/* The game-night overlay: the game on screen, its room code and players, and a live tally. */
"use strict";

(() => {
  let current = null;

  function setCount(id, value) {
    const element = document.getElementById(id);
    const text = String(value);
    if (element.textContent === text) return;
    element.textContent = text;
    Overlay.bump(element.parentElement);
  }

  function render(state) {
    const main = document.getElementById("gamenight");
    current = state.game;
    Overlay.show("session", state.session ? "Game night #" + state.session.id : "Game night");
    if (!state.session) {
      main.dataset.state = "none";
      Overlay.show("title", "No game night right now");
      return;
    }
    if (!state.game) {
      main.dataset.state = "waiting";
      Overlay.show("title", "Waiting for the first game");
      return;
    }
    const game = state.game;
    main.dataset.state = "game";
    Overlay.show("title", game.title);
    Overlay.show("pack", game.pack_name);
    Overlay.show("room-code", game.room_code || "-");
    Overlay.show("players", game.player_count === null ? "-" : String(game.player_count));
    setCount("upvotes", game.upvotes);
    setCount("downvotes", game.downvotes);
  }

  function onEvent(event, refresh) {
    const voted = event.type === "vote.received" && event.data.game;
    if (voted && current && event.data.game.id === current.game_id) {
      current.upvotes = event.data.game.upvotes;
      current.downvotes = event.data.game.downvotes;
      setCount("upvotes", current.upvotes);
      setCount("downvotes", current.downvotes);
      return;
    }
    refresh();
  }

  Overlay.start({ statePath: "/api/overlay/gamenight", topic: {}, render, onEvent });
})();
